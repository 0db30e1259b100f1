import EmbeddedPostgres
import Foundation
import Hummingbird
import LiushouAlerts
import LiushouDashboard
import LiushouHTTP
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import Logging
import ServiceLifecycle

/// Builds the server: starts the embedded PostgreSQL when no database URL is configured, creates
/// the pool, and migrates before the server accepts requests (unless told not to).
///
/// Services shut down in reverse order: HTTP server (draining in-flight requests), then the pool,
/// then the embedded cluster.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let openFiles = HTTPServerSettings.raiseOpenFileLimit(logger: logger)
    var configuration = configuration
    // Room for the database connections, the cluster's pipes and log files besides the clients.
    configuration.maxClientConnections = max(64, min(configuration.maxClientConnections, openFiles - configuration.poolSize - 64))
    var services: [any Service] = []
    var clusterStatus: (@Sendable () -> ClusterStatus)? = nil
    let applicationURL: String
    let ownerURL: String
    var applicationPassword: String? = nil
    var dataKey = configuration.dataKey
    if let configured = configuration.databaseURL {
        applicationURL = configured
        ownerURL = configuration.migrationDatabaseURL ?? configured
    } else {
        let cluster = EmbeddedPostgres(
            configuration: EmbeddedPostgresConfiguration(
                dataDirectory: configuration.dataDirectory,
                maxConnections: max(100, configuration.poolSize * 2)
            ),
            logger: logger
        )
        ownerURL = try await cluster.start()
        let password = try cluster.secret(named: "app-password")
        applicationPassword = password
        applicationURL = cluster.connectionURL(database: cluster.configuration.database, user: DatabaseRoles.applicationRole, password: password)
        services.append(EmbeddedPostgresService(cluster: cluster, logger: logger))
        clusterStatus = { cluster.status }
        if dataKey == nil { dataKey = try cluster.secret(named: "data-key") }
    }
    guard let dataKey else { throw ConfigurationError.missingDataKey }
    let vault = try IdentifierVault(secret: dataKey, previous: configuration.openingDataKeys(besides: dataKey))
    let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory(explicit: configuration.sqlDirectory))
    let pool = PostgresConnectionPool(
        configuration: PostgresPoolConfiguration(
            conninfo: applicationURL,
            maxConnections: configuration.poolSize,
            acquireTimeout: configuration.poolWaitTimeout,
            connectTimeout: configuration.connectTimeout,
            statementTimeout: configuration.statementTimeout,
            bulkStatementTimeout: configuration.bulkStatementTimeout
        ),
        logger: logger
    )
    services.append(pool)
    var readReplica: ReadReplica? = nil
    if let readURL = configuration.readDatabaseURL {
        let readPool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(
                conninfo: readURL,
                maxConnections: configuration.readPoolSize ?? configuration.poolSize,
                acquireTimeout: configuration.poolWaitTimeout,
                connectTimeout: configuration.connectTimeout,
                statementTimeout: configuration.statementTimeout,
                bulkStatementTimeout: configuration.bulkStatementTimeout
            ),
            logger: logger
        )
        let monitor = ReplicaMonitor(primary: pool, replica: readPool, maxStaleness: configuration.readMaxStaleness, logger: logger)
        services.append(readPool)
        services.append(monitor)
        readReplica = ReadReplica(pool: readPool, monitor: monitor)
    }
    services.append(DashboardSnapshots.service(pool: pool, logger: logger))
    services.append(HistoryPartitions.service(pool: pool, logger: logger))
    services.append(
        AuditCheckpointService(
            pool: pool,
            key: AuditCheckpoint.Key(dataKey: dataKey),
            file: configuration.resolvedAuditCheckpointFile,
            interval: configuration.auditCheckpointInterval,
            logger: logger
        )
    )
    let alertsMayStart = StartGate()
    services.append(AlertDeliveryService(pool: pool, vault: vault, settings: configuration.alertDelivery, startGate: alertsMayStart, logger: logger))
    let hasher = try PasswordHasher(cost: configuration.bcryptCost)
    var authSettings = AuthSettings()
    authSettings.secondFactorRoles = configuration.resolvedTwoFactorRoles
    let router = buildRouter(
        AppDependencies(
            pool: pool,
            catalog: catalog,
            hasher: hasher,
            vault: vault,
            authSettings: authSettings,
            clusterStatus: clusterStatus,
            trustedProxies: configuration.trustedProxies,
            readReplica: readReplica
        )
    )
    var app = Application(
        router: router,
        server: HTTPServerSettings.server(configuration),
        configuration: HTTPServerSettings.application(configuration, logger: logger),
        services: services,
        logger: logger
    )
    let migrateOnStart = configuration.migrateOnStart
    let demo = configuration.demo
    let demoLoginsFile = configuration.dataDirectory.appendingPathComponent("demo-logins.txt")
    let demoResponder = router.buildResponder()
    let embeddedApplicationPassword = applicationPassword
    let replica = readReplica
    app.beforeServerStarts {
        let owner = PostgresConnectionPool(configuration: .init(conninfo: ownerURL, maxConnections: 1), logger: logger)
        do {
            if migrateOnStart {
                let report = try await Migrator(catalog: catalog, logger: logger).migrate(pool: owner)
                logger.info(
                    "database schema is current",
                    metadata: [
                        "applied_now": "\(report.applied.count)", "already_applied": "\(report.alreadyApplied)",
                    ]
                )
            }
            if let embeddedApplicationPassword {
                try await DatabaseRoles.enableApplicationLogin(password: embeddedApplicationPassword, owner: owner)
            }
            if demo {
                try await DemoLogins.seedAndPrint(owner: owner, hasher: hasher, responder: demoResponder, file: demoLoginsFile, logger: logger)
            }
            // This week's dashboard counts before the first request; the snapshot service keeps them current.
            await DashboardSnapshots.take(pool: owner, logger: logger)
            await HistoryPartitions.ensure(pool: owner, logger: logger)
            await owner.close()
        } catch {
            await owner.close()
            throw error
        }
        try await DatabaseRoles.ensureUnprivileged(pool)
        if let replica {
            do {
                try await DatabaseRoles.ensureUnprivileged(replica.pool)
            } catch let error as DatabaseError where error.isUnavailable {
                // A replica down at start is no reason not to serve: reads use the primary until it answers.
                logger.warning(
                    "read replica not reachable at start; reads go to the primary",
                    metadata: ["error": .string(DatabaseError.loggable(error))]
                )
            }
            await replica.monitor.sample()
        }
        alertsMayStart.open()
    }
    return app
}
