import Foundation
import LiushouMigrations
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    /// Writes `files` (path → SQL) into a fresh temporary `sql/` directory.
    static func directory(_ files: [String: String]) throws -> URL {
        let root = Self.scratch.appendingPathComponent(UUID().uuidString)
        for (path, sql) in files {
            let file = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try sql.write(to: file, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// One scratch folder per test process, removed with the test cluster's directory tree at exit.
    static let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
        "liushou-test-sql-\(ProcessInfo.processInfo.processIdentifier)"
    )

    static let base = [
        "core/0001_units.sql": "create table unit (id int primary key, name text not null);",
        "registry/0002_person.sql": "create table person (id int primary key, unit_id int references unit(id));\ninsert into unit values (1, '乡镇');",
    ]

    @Test("migrations apply in version order across modules, once")
    func appliesOnce() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let catalog = try MigrationCatalog.load(from: try Self.directory(Self.base))
            #expect(catalog.migrations.map(\.label) == ["core/0001_units", "registry/0002_person"])
            let migrator = Migrator(catalog: catalog, logger: TestPostgres.logger)
            let first = try await migrator.migrate(pool: database.pool)
            #expect(first.applied.count == 2)
            let second = try await migrator.migrate(pool: database.pool)
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied == 2)
            #expect(try await migrator.pending(pool: database.pool).isEmpty)
            let units = try await database.pool.query("select name from unit")
            #expect(try units.map { try $0.decode("name", as: String.self) } == ["乡镇"])
        }
    }

    @Test("a changed applied migration is refused with a clear message")
    func checksumRefusal() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await Migrator(catalog: try MigrationCatalog.load(from: try Self.directory(Self.base)), logger: TestPostgres.logger)
                .migrate(pool: database.pool)
            var edited = Self.base
            edited["core/0001_units.sql"] = "create table unit (id int primary key, name text);"
            edited["core/0003_more.sql"] = "create table more (id int);"
            let migrator = Migrator(catalog: try MigrationCatalog.load(from: try Self.directory(edited)), logger: TestPostgres.logger)
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate(pool: database.pool) }
            guard case .checksumMismatch(let label, _, _) = error else {
                Issue.record("expected checksumMismatch, got \(String(describing: error))")
                return
            }
            #expect(label == "core/0001_units")
            #expect(error?.description.contains("add a new migration") == true)
            let more = try await database.pool.query("select to_regclass('more') is null as absent")
            #expect(try more.first?.decode("absent", as: Bool.self) == true)
        }
    }

    @Test("a failing migration is rolled back entirely and not recorded")
    func failingMigration() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            var files = Self.base
            files["core/0003_broken.sql"] = "create table half (id int);\ninsert into half values ('not a number');"
            let migrator = Migrator(catalog: try MigrationCatalog.load(from: try Self.directory(files)), logger: TestPostgres.logger)
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate(pool: database.pool) }
            guard case .failed(let label, _) = error else {
                Issue.record("expected failed, got \(String(describing: error))")
                return
            }
            #expect(label == "core/0003_broken")
            let state = try #require(
                try await database.pool.query(
                    """
                    select to_regclass('half') is null as absent, (select max(version) from liushou_schema_migrations) as latest
                    """
                ).first
            )
            #expect(try state.decode("absent", as: Bool.self))
            #expect(try state.decode("latest", as: Int.self) == 2)
        }
    }

    @Test("concurrent migrate runs are serialised and apply each migration once")
    func concurrentRuns() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 4) { database in
            let catalog = try MigrationCatalog.load(from: try Self.directory(Self.base))
            let appliedCounts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        try await Migrator(catalog: catalog, logger: TestPostgres.logger).migrate(pool: database.pool).applied.count
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // Each migration is applied by exactly one run (runs may share the work between them).
            #expect(appliedCounts.reduce(0, +) == 2)
            let rows = try await database.pool.query("select count(*) as n from liushou_schema_migrations")
            #expect(try rows.first?.decode("n", as: Int.self) == 2)
            // No lock outlives a run (a session lock would stay with a pooler's server connection).
            let locks = try await database.pool.query(
                "select count(*) as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())"
            )
            #expect(try locks.first?.decode("n", as: Int.self) == 0)
        }
    }

    @Test("duplicate versions and bad file names are refused")
    func catalogValidation() throws {
        #expect(throws: MigrationError.self) {
            try MigrationCatalog.load(from: try Self.directory(["a/0001_x.sql": "select 1;", "b/0001_y.sql": "select 1;"]))
        }
        #expect(throws: MigrationError.self) {
            try MigrationCatalog.load(from: try Self.directory(["a/first.sql": "select 1;"]))
        }
    }

    @Test("the repository's own migrations load and apply to a fresh database")
    func repositoryMigrations() async throws {
        try await TestPostgres.withDatabase(migrated: true) { database in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory())
            #expect(!catalog.migrations.isEmpty)
            let pending = try await Migrator(catalog: catalog, logger: TestPostgres.logger).pending(pool: database.pool)
            #expect(pending.isEmpty)
        }
    }
}
