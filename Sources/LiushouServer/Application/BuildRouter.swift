import EmbeddedPostgres
import Foundation
import Hummingbird
import LiushouAccess
import LiushouAlerts
import LiushouDashboard
import LiushouGrid
import LiushouHTTP
import LiushouHealth
import LiushouLegalAid
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouRelief
import LiushouSchools
import LiushouVolunteers
import LiushouWeb

/// What route handlers need, built once at start-up.
public struct AppDependencies: Sendable {
    /// The database pool (connected as the application role, under row-level security).
    public let pool: PostgresConnectionPool
    /// The migrations this build knows.
    public let catalog: MigrationCatalog
    /// Prometheus metrics.
    public let metrics: HTTPMetrics
    /// Scoped access to tenant data.
    public let database: TenantDatabase
    /// Login and token checks.
    public let auth: AuthService
    /// Session, lockout and second-factor rules.
    public let authSettings: AuthSettings
    /// Every declared route and the access it needs.
    public let routes: RouteCatalog
    /// bcrypt hashing.
    public let hasher: PasswordHasher
    /// Seals ID numbers at rest.
    public let vault: IdentifierVault
    /// Person files.
    public let persons: any PersonRepository
    /// The registry's write rules.
    public let personService: PersonService
    /// The web clients' files.
    public let web: WebBundle
    /// The embedded cluster's supervisor status, when the server runs one.
    public let clusterStatus: (@Sendable () -> ClusterStatus)?
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    public let trustedProxies: Set<String>
    /// Reads the dashboard and report figures may take from a streaming replica (`--read-database-url`).
    public let reads: ReadDatabase
    /// The replica behind `reads`, when one is configured.
    public let readReplica: ReadReplica?
    /// Hosts alert channels may post to: the robots' and this machine, plus `LIUSHOU_ALERT_WEBHOOK_HOSTS`
    /// (comma-separated, e.g. a 政务 deployment's own robot host or relay).
    public let webhookHosts: Set<String>

    public init(
        pool: PostgresConnectionPool,
        catalog: MigrationCatalog,
        hasher: PasswordHasher,
        vault: IdentifierVault,
        authSettings: AuthSettings = AuthSettings(),
        clusterStatus: (@Sendable () -> ClusterStatus)? = nil,
        trustedProxies: Set<String> = [],
        readReplica: ReadReplica? = nil
    ) {
        self.pool = pool
        self.catalog = catalog
        self.metrics = HTTPMetrics(pool: pool)
        self.database = TenantDatabase(pool: pool)
        self.readReplica = readReplica
        if let readReplica {
            self.reads = ReadDatabase(primary: self.database, replica: TenantDatabase(pool: readReplica.pool), monitor: readReplica.monitor)
        } else {
            self.reads = ReadDatabase(primary: self.database)
        }
        self.auth = AuthService(
            repository: PostgresAuthRepository(database: self.database),
            hasher: hasher,
            settings: authSettings,
            database: self.database,
            vault: vault
        )
        self.authSettings = authSettings
        self.routes = RouteCatalog()
        self.hasher = hasher
        self.vault = vault
        self.persons = PostgresPersonRepository(vault: vault)
        self.personService = PersonService(repository: self.persons, vault: vault)
        // The files are part of the build: a build without them is broken, not a deployment choice.
        // LIUSHOU_WEB_DIR (development only) serves them from a checkout instead: a restart, no build.
        self.web = try! WebBundle(directory: ProcessInfo.processInfo.environment["LIUSHOU_WEB_DIR"].map { URL(fileURLWithPath: $0) })
        self.clusterStatus = clusterStatus
        self.trustedProxies = trustedProxies
        let extra =
            ProcessInfo.processInfo.environment["LIUSHOU_ALERT_WEBHOOK_HOSTS"]?.split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty } ?? []
        self.webhookHosts = WebhookURL.defaultHosts.union(extra)
    }
}

/// A read-only pool on a streaming replica and the monitor that says how far behind it is.
public struct ReadReplica: Sendable {
    public let pool: PostgresConnectionPool
    public let monitor: ReplicaMonitor

    public init(pool: PostgresConnectionPool, monitor: ReplicaMonitor) {
        self.pool = pool
        self.monitor = monitor
    }
}

/// Builds the router: middleware (request id → client address → metrics → problem errors → 405 for known paths → web clients' files →
/// query text → authentication) and every module's routes (which declare their own body limits).
public func buildRouter(_ dependencies: AppDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.middlewares.add(RequestIDMiddleware())
    router.middlewares.add(APIHeadersMiddleware())
    router.middlewares.add(ClientAddressMiddleware(trustedProxies: dependencies.trustedProxies))
    router.middlewares.add(RequestMetricsMiddleware(metrics: dependencies.metrics))
    router.middlewares.add(ProblemMiddleware())
    router.middlewares.add(MethodNotAllowedMiddleware(catalog: dependencies.routes))
    router.middlewares.add(WebMiddleware(bundle: dependencies.web))
    router.middlewares.add(QueryTextMiddleware())
    router.middlewares.add(AuthenticationMiddleware(auth: dependencies.auth))
    let database = dependencies.database
    let routes = SecuredRoutes(router: router, catalog: dependencies.routes) { caller, method, path, context in
        await AuditEntry.recordDenial(caller: caller, method: method, path: path, context: context, database: database)
    }
    OperationsController(
        pool: dependencies.pool,
        catalog: dependencies.catalog,
        metrics: dependencies.metrics,
        clusterStatus: dependencies.clusterStatus,
        readReplica: dependencies.readReplica
    )
    .addRoutes(to: routes)
    let twoFactor = TwoFactorService(database: dependencies.database, vault: dependencies.vault, settings: dependencies.authSettings)
    PlatformModule.addRoutes(
        to: routes,
        database: database,
        auth: dependencies.auth,
        twoFactor: twoFactor,
        hasher: dependencies.hasher
    )
    RegistryModule.addRoutes(to: routes, database: database, service: dependencies.personService, repository: dependencies.persons)
    GridModule.addRoutes(to: routes, database: database)
    VolunteersModule.addRoutes(to: routes, database: database, vault: dependencies.vault)
    HealthModule.addRoutes(to: routes, database: database, vault: dependencies.vault)
    DashboardModule.addRoutes(to: routes, database: database, reads: dependencies.reads)
    ReliefModule.addRoutes(to: routes, database: database, reads: dependencies.reads)
    LegalAidModule.addRoutes(to: routes, database: database)
    SchoolsModule.addRoutes(to: routes, database: database)
    AlertsModule.addRoutes(to: routes, database: database, vault: dependencies.vault, webhookHosts: dependencies.webhookHosts)
    return router
}
