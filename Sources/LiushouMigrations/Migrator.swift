import LiushouPostgres
import Logging

/// Applies a catalog's migrations in order, each in its own transaction, recording version and
/// checksum in `liushou_schema_migrations`. Concurrent runs are serialised by an advisory lock
/// taken in each migration's transaction.
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
    ///
    /// Each migration runs in its own transaction, which first takes a transaction-level advisory
    /// lock and reads what is applied: a concurrent migrator (another server starting) waits, then
    /// finds the migration applied and moves on. No lock outlives a transaction, so this also works
    /// through a transaction-mode pooler such as PgBouncer.
    @discardableResult
    public func migrate(pool: PostgresConnectionPool) async throws -> Report {
        try await pool.withConnection { connection in
            var report: Report? = nil
            while true {
                try await connection.query("begin")
                do {
                    try await connection.query("select pg_advisory_xact_lock(\(Self.lockKey))")
                    try await self.createLedger(connection)
                    let applied = try await self.verifiedApplied(connection)
                    if report == nil { report = Report(applied: [], alreadyApplied: applied.count) }
                    guard let migration = self.catalog.migrations.first(where: { applied[$0.version] == nil }) else {
                        try await connection.query("commit")
                        return report ?? Report(applied: [], alreadyApplied: applied.count)
                    }
                    try await self.apply(migration, on: connection)
                    report?.applied.append(migration)
                } catch {
                    _ = try? await connection.query("rollback")
                    throw error
                }
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

    private func createLedger(_ connection: PostgresConnection) async throws {
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
    }

    /// Runs one migration and records it, then commits the transaction the caller opened.
    private func apply(_ migration: Migration, on connection: PostgresConnection) async throws {
        let started = ContinuousClock.now
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
            let commit = try await connection.query("commit")
            guard commit.commandTag == "COMMIT" else {
                throw DatabaseError.server(sqlState: "40000", message: "the migration's transaction was rolled back")
            }
        } catch {
            throw MigrationError.failed(label: migration.label, underlying: "\(error)")
        }
        self.logger.info("applied migration", metadata: ["migration": "\(migration.label)"])
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
