import EmbeddedPostgres
import Foundation
import Hummingbird
import LiushouMigrations
import LiushouPostgres
import Logging
import ServiceLifecycle

/// Builds the server: starts the embedded PostgreSQL when no database URL is configured, creates
/// the pool, and migrates before the server accepts requests (unless told not to).
///
/// Services shut down in reverse order: HTTP server (draining in-flight requests), then the pool,
/// then the embedded cluster.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    var services: [any Service] = []
    let databaseURL: String
    if let configured = configuration.databaseURL {
        databaseURL = configured
    } else {
        let cluster = EmbeddedPostgres(
            configuration: EmbeddedPostgresConfiguration(dataDirectory: configuration.dataDirectory, maxConnections: max(100, configuration.poolSize * 2)),
            logger: logger
        )
        databaseURL = try await cluster.start()
        services.append(EmbeddedPostgresService(cluster: cluster, logger: logger))
    }
    let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory(explicit: configuration.sqlDirectory))
    let pool = PostgresConnectionPool(
        configuration: PostgresPoolConfiguration(conninfo: databaseURL, maxConnections: configuration.poolSize),
        logger: logger
    )
    services.append(pool)
    let router = buildRouter(AppDependencies(pool: pool, catalog: catalog))
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "liushou"),
        services: services,
        logger: logger
    )
    if configuration.migrateOnStart {
        app.beforeServerStarts {
            let report = try await Migrator(catalog: catalog, logger: logger).migrate(pool: pool)
            logger.info("database schema is current", metadata: [
                "applied_now": "\(report.applied.count)", "already_applied": "\(report.alreadyApplied)",
            ])
        }
    }
    return app
}
