import ArgumentParser
import EmbeddedPostgres
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer
import Logging

/// `liushou migrate`: applies pending SQL migrations (or lists them with `--status`).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending SQL migrations from sql/.")

    @OptionGroup var common: CommonOptions

    @Flag(help: "Only list pending migrations.")
    var status = false

    func run() async throws {
        let (configuration, logger) = try self.common.configured()
        let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory(explicit: configuration.sqlDirectory))
        try await OwnerConnection.with(configuration, logger: logger) { pool in
            let migrator = Migrator(catalog: catalog, logger: logger)
            if self.status {
                let pending = try await migrator.pending(pool: pool)
                print(pending.isEmpty ? "schema is current (\(catalog.migrations.count) migrations)" : "pending:")
                for migration in pending { print("  \(migration.label)") }
            } else {
                let report = try await migrator.migrate(pool: pool)
                print("applied \(report.applied.count) migration(s); \(report.alreadyApplied) were already applied")
                for migration in report.applied { print("  \(migration.label)") }
            }
        }
    }
}
