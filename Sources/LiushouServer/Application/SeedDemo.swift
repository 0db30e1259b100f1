import EmbeddedPostgres
import Foundation
import Hummingbird
import LiushouDashboard
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import Logging

/// `liushou demo seed`: the demo seed of `serve --demo` on an existing database, without serving.
/// Connects like the server (embedded cluster or configured URLs), migrates, and writes through the
/// application role's pool so row-level security applies as it does to requests.
public func seedDemo(_ configuration: ServerConfiguration, logger: Logger) async throws {
    var cluster: EmbeddedPostgres? = nil
    let ownerURL: String
    let applicationURL: String
    var dataKey = configuration.dataKey
    var applicationPassword: String? = nil
    if let configured = configuration.databaseURL {
        applicationURL = configured
        ownerURL = configuration.migrationDatabaseURL ?? configured
    } else {
        let embedded = EmbeddedPostgres(configuration: EmbeddedPostgresConfiguration(dataDirectory: configuration.dataDirectory), logger: logger)
        ownerURL = try await embedded.start()
        let password = try embedded.secret(named: "app-password")
        applicationPassword = password
        applicationURL = embedded.connectionURL(database: embedded.configuration.database, user: DatabaseRoles.applicationRole, password: password)
        if dataKey == nil { dataKey = try embedded.secret(named: "data-key") }
        cluster = embedded
    }
    let owner = PostgresConnectionPool(configuration: .init(conninfo: ownerURL, maxConnections: 1), logger: logger)
    let pool = PostgresConnectionPool(configuration: .init(conninfo: applicationURL, maxConnections: configuration.poolSize), logger: logger)
    do {
        guard let dataKey else { throw ConfigurationError.missingDataKey }
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory(explicit: configuration.sqlDirectory))
        _ = try await Migrator(catalog: catalog, logger: logger).migrate(pool: owner)
        if let applicationPassword { try await DatabaseRoles.enableApplicationLogin(password: applicationPassword, owner: owner) }
        try await DatabaseRoles.ensureUnprivileged(pool)
        let hasher = try PasswordHasher(cost: configuration.bcryptCost)
        let router = buildRouter(
            AppDependencies(
                pool: pool,
                catalog: catalog,
                hasher: hasher,
                vault: try IdentifierVault(secret: dataKey, previous: configuration.openingDataKeys(besides: dataKey))
            )
        )
        try await DemoLogins.seedAndPrint(
            owner: owner,
            hasher: hasher,
            responder: router.buildResponder(),
            file: configuration.dataDirectory.appendingPathComponent("demo-logins.txt"),
            logger: logger
        )
        _ = try await owner.query("select dashboard_snapshot_take()")
    } catch {
        await pool.close()
        await owner.close()
        try? await cluster?.stop()
        throw error
    }
    await pool.close()
    await owner.close()
    try await cluster?.stop()
}
