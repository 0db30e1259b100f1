import EmbeddedPostgres
import Foundation
import Glibc
import LiushouMigrations
import LiushouPostgres

/// The cluster shared by one test process, started on first use and stopped at exit.
actor SharedTestCluster {
    private struct Cluster: Sendable {
        var adminURL: @Sendable (String) -> String
    }

    private var cluster: Task<Cluster, any Error>?
    private var template: Task<String, any Error>?

    struct CreatedDatabase {
        var name: String
        var url: String
        var appURL: String
    }

    /// Password of the application role in test clusters.
    static let applicationPassword = "a11ce5500d"

    func createDatabase(migrated: Bool) async throws -> CreatedDatabase {
        let cluster = try await self.startedCluster()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // The template's migration also creates the cluster-wide application role and its password.
        let template = try await self.migratedTemplate(cluster)
        if migrated {
            try await Self.admin(cluster, "create database \(identifier: name) template \(identifier: template)")
        } else {
            try await Self.admin(cluster, "create database \(identifier: name)")
        }
        return CreatedDatabase(name: name, url: cluster.adminURL(name), appURL: Self.applicationURL(cluster.adminURL(name)))
    }

    func dropDatabase(_ name: String) async {
        guard let cluster = try? await self.startedCluster() else { return }
        try? await Self.admin(cluster, "drop database if exists \(identifier: name) with (force)")
    }

    private func startedCluster() async throws -> Cluster {
        if let cluster { return try await cluster.value }
        let task = Task { try await Self.startCluster() }
        self.cluster = task
        return try await task.value
    }

    private func migratedTemplate(_ cluster: Cluster) async throws -> String {
        if let template { return try await template.value }
        let task = Task {
            let name = "liushou_template"
            try await Self.admin(cluster, "drop database if exists \(identifier: name)")
            try await Self.admin(cluster, "create database \(identifier: name)")
            let pool = PostgresConnectionPool(
                configuration: PostgresPoolConfiguration(conninfo: cluster.adminURL(name), maxConnections: 1),
                logger: TestPostgres.logger
            )
            do {
                let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
                try await Migrator(catalog: catalog, logger: TestPostgres.logger).migrate(pool: pool)
                try await pool.query("alter role liushou_app login password '\(unsafeRaw: Self.applicationPassword)'")
                await pool.close()
            } catch {
                await pool.close()
                throw error
            }
            return name
        }
        self.template = task
        return try await task.value
    }

    private static func admin(_ cluster: Cluster, _ query: SQLQuery) async throws {
        let pool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(conninfo: cluster.adminURL("postgres"), maxConnections: 1),
            logger: TestPostgres.logger
        )
        do {
            try await pool.query(query)
            await pool.close()
        } catch {
            await pool.close()
            throw error
        }
    }

    private static func startCluster() async throws -> Cluster {
        if let external = ProcessInfo.processInfo.environment["LIUSHOU_TEST_DATABASE_URL"], !external.isEmpty {
            return Cluster(adminURL: { database in Self.replacingDatabase(in: external, with: database) })
        }
        // Every test opens its own pools (owner and application role) and Swift Testing runs the tests
        // together: 200+ tests need more than a few hundred connections.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liushou-test-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        let embedded = EmbeddedPostgres(
            configuration: EmbeddedPostgresConfiguration(dataDirectory: directory, durability: .unsafeFastForTests, maxConnections: 1000),
            logger: TestPostgres.logger
        )
        try await embedded.start()
        try embedded.stopWhenThisProcessExits(removingDataDirectory: true)
        return Cluster(adminURL: { database in embedded.connectionURL(database: database) })
    }

    /// The same URL with the application role's credentials.
    static func applicationURL(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.user = "liushou_app"
        components.password = Self.applicationPassword
        return components.string ?? url
    }

    /// Swaps the path (database) of a `postgresql://` URL.
    static func replacingDatabase(in url: String, with database: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + database
        return components.string ?? url
    }
}
