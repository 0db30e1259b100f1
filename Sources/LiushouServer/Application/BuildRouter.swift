import Hummingbird
import LiushouMigrations
import LiushouPostgres

/// What route handlers need, built once at start-up.
public struct AppDependencies: Sendable {
    /// The database pool.
    public let pool: PostgresConnectionPool
    /// The migrations this build knows.
    public let catalog: MigrationCatalog
    /// Prometheus metrics.
    public let metrics: HTTPMetrics

    /// Bundles the dependencies.
    public init(pool: PostgresConnectionPool, catalog: MigrationCatalog) {
        self.pool = pool
        self.catalog = catalog
        self.metrics = HTTPMetrics(pool: pool)
    }
}

/// Builds the router: middleware (request id → metrics → problem errors → body limit) and every controller.
public func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(RequestMetricsMiddleware(metrics: dependencies.metrics))
    router.middlewares.add(ProblemMiddleware())
    router.middlewares.add(BodyLimitMiddleware())
    OperationsController(pool: dependencies.pool, catalog: dependencies.catalog, metrics: dependencies.metrics)
        .addRoutes(to: router)
    return router
}
