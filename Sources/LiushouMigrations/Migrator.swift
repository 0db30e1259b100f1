import LiushouPostgres
import Logging

/// Applies a catalog's migrations in order, each in its own transaction, recording version and
/// checksum in `liushou_schema_migrations`. Concurrent runs are serialised by an advisory lock.
public struct Migrator: Sendable {
    /// Advisory lock key shared by every Liushou migrator ("liushou" in ASCII).
    static let lockKey = 0x6C69_7573_686F_75

    private let catalog: MigrationCatalog
    private let logger: Logger

    /// A migrator for the catalog.
    public init(catalog: MigrationCatalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// What a run did.
    public struct Report: Sendable {
        /// Migrations applied by this run.
        public var applied: [Migration]
        /// Migrations that were already applied.
        public var alreadyApplied: Int
    }

    /// Applies pending migrations; refuses to run when an applied migration changed on disk.
    @discardableResult
    public func migrate(pool: PostgresConnectionPool) async throws -> Report {
        try await pool.withConnection { connection in
            try await connection.query("select pg_advisory_lock(\(Self.lockKey))")
            do {
                let report = try await self.migrateLocked(connection)
                try await connection.query("select pg_advisory_unlock(\(Self.lockKey))")
                return report
            } catch {
                _ = try? await connection.query("select pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    /// Migrations not yet applied (after verifying the applied ones).
    public func pending(pool: PostgresConnectionPool) async throws -> [Migration] {
        try await pool.withConnection { connection in
            let applied = try await self.verifiedApplied(connection)
            return self.catalog.migrations.filter { applied[$0.version] == nil }
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> Report {
        try await connection.query(
            """
            create table if not exists liushou_schema_migrations (
                version integer primary key,
                module text not null,
                name text not null,
                checksum text not null,
                applied_at timestamptz not null default now(),
                duration_ms integer not null
            )
            """
        )
        let applied = try await self.verifiedApplied(connection)
        var report = Report(applied: [], alreadyApplied: applied.count)
        for migration in self.catalog.migrations where applied[migration.version] == nil {
            let started = ContinuousClock.now
            try await connection.query("begin")
            do {
                try await connection.executeScript(unsafeSQL: migration.sql)
                let elapsed = ContinuousClock.now - started
                let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                try await connection.query(
                    """
                    insert into liushou_schema_migrations (version, module, name, checksum, duration_ms)
                    values (\(migration.version), \(migration.module), \(migration.name), \(migration.checksum), \(milliseconds))
                    """
                )
                try await connection.query("commit")
            } catch {
                _ = try? await connection.query("rollback")
                throw MigrationError.failed(label: migration.label, underlying: "\(error)")
            }
            self.logger.info("applied migration", metadata: ["migration": "\(migration.label)"])
            report.applied.append(migration)
        }
        return report
    }

    /// Applied versions and checksums, after checking them against the catalog.
    private func verifiedApplied(_ connection: PostgresConnection) async throws -> [Int: String] {
        let exists = try await connection.query("select to_regclass('liushou_schema_migrations') is not null as present")
        guard try exists.first?.decode("present", as: Bool.self) == true else { return [:] }
        let rows = try await connection.query("select version, module, name, checksum from liushou_schema_migrations order by version")
        let known = Dictionary(uniqueKeysWithValues: self.catalog.migrations.map { ($0.version, $0) })
        var applied: [Int: String] = [:]
        for row in rows {
            let (version, module, name, checksum) = try row.decode((Int, String, String, String).self)
            guard let migration = known[version] else {
                throw MigrationError.unknownAppliedMigration(version: version, label: "\(module)/\(name)")
            }
            guard migration.checksum == checksum else {
                throw MigrationError.checksumMismatch(label: migration.label, applied: checksum, onDisk: migration.checksum)
            }
            applied[version] = checksum
        }
        return applied
    }
}
