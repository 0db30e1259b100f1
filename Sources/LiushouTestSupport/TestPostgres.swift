import EmbeddedPostgres
import Foundation
import Glibc
import LiushouMigrations
import LiushouPostgres
import Logging

/// Real PostgreSQL for tests: one throw-away cluster per test process (started with the same
/// embedded launcher the server uses), and a fresh database per test.
///
/// Set `LIUSHOU_TEST_DATABASE_URL` to a superuser URL to use an existing server instead.
public enum TestPostgres {
    /// Logger for test infrastructure (warnings only).
    public static let logger: Logger = {
        var logger = Logger(label: "liushou.test")
        logger.logLevel = .warning
        return logger
    }()

    private static let shared = SharedTestCluster()

    /// Creates a fresh database (migrated with the repository's `sql/` unless `migrated` is false),
    /// runs `body` with a pool on it, then closes the pool and drops the database.
    public static func withDatabase<Result>(
        migrated: Bool = true,
        maxConnections: Int = 5,
        // Generous: the whole suite runs at once on small CI machines, and a slow test is not a failing one.
        acquireTimeout: Duration = .seconds(60),
        _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        await TestSlots.shared.acquire()
        do {
            let result = try await self.withOwnDatabase(migrated: migrated, maxConnections: maxConnections, acquireTimeout: acquireTimeout, body)
            await TestSlots.shared.release()
            return result
        } catch {
            await TestSlots.shared.release()
            throw error
        }
    }

    private static func withOwnDatabase<Result>(
        migrated: Bool,
        maxConnections: Int,
        acquireTimeout: Duration,
        _ body: (TestDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await self.shared.createDatabase(migrated: migrated)
        let pool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(
                conninfo: database.url,
                maxConnections: maxConnections,
                acquireTimeout: acquireTimeout
            ),
            logger: self.logger
        )
        let appPool = PostgresConnectionPool(
            configuration: PostgresPoolConfiguration(
                conninfo: database.appURL,
                maxConnections: maxConnections,
                acquireTimeout: acquireTimeout
            ),
            logger: self.logger
        )
        let testDatabase = TestDatabase(name: database.name, url: database.url, appURL: database.appURL, pool: pool, appPool: appPool)
        do {
            let result = try await body(testDatabase)
            await appPool.close()
            await pool.close()
            await self.shared.dropDatabase(database.name)
            return result
        } catch {
            await appPool.close()
            await pool.close()
            await self.shared.dropDatabase(database.name)
            throw error
        }
    }

    /// Starts a private cluster for a test that stops or restarts PostgreSQL, and removes it afterwards.
    public static func withPrivateCluster<Result>(_ body: (EmbeddedPostgres, String) async throws -> Result) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("liushou-private-\(getpid())-\(UUID().uuidString.prefix(8))")
        let cluster = EmbeddedPostgres(
            configuration: EmbeddedPostgresConfiguration(dataDirectory: directory, durability: .unsafeFastForTests, maxConnections: 20),
            logger: self.logger
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try await cluster.start()
        try cluster.stopWhenThisProcessExits(removingDataDirectory: true)
        do {
            let result = try await body(cluster, url)
            try? await cluster.stop()
            return result
        } catch {
            try? await cluster.stop()
            throw error
        }
    }
}

/// A database made for one test.
public struct TestDatabase: Sendable {
    /// The database's name.
    public let name: String
    /// A superuser (owner) URL for it (holds a password: never log it).
    public let url: String
    /// A URL for the application role `liushou_app`, which is subject to row-level security.
    public let appURL: String
    /// An owner pool on it, for setup and inspection.
    public let pool: PostgresConnectionPool
    /// A pool as the application role, as the server connects.
    public let appPool: PostgresConnectionPool
}

extension TestDatabase {
    /// Applies the project's migrations older than `version` (an empty database): the schema as a
    /// deployment had it before that migration, for tests of the migration on a filled table. The
    /// later migrations in `later` are applied too (after the older ones): functions today's server
    /// calls to fill that table through the API, which the full migration then does not apply again.
    public func migrate(before version: Int, with later: Set<Int> = []) async throws {
        let all = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
        let earlier = try MigrationCatalog(migrations: all.migrations.filter { $0.version < version || later.contains($0.version) })
        try await Migrator(catalog: earlier, logger: TestPostgres.logger).migrate(pool: self.pool)
    }
}
