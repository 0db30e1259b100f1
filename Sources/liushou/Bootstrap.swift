import ArgumentParser
import EmbeddedPostgres
import Foundation
import LiushouAccess
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouServer

/// `liushou bootstrap`: creates the county and its first administrator on a fresh deployment.
struct Bootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the county (root unit) and its first county administrator.",
        discussion: "The administrator's password is read from LIUSHOU_ADMIN_PASSWORD so it never appears in the process list."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "County name, e.g. 某某县.")
    var countyName: String

    @Option(help: "County 统计用区划代码 (12 digits ending in 000000).")
    var countyCode: String?

    @Option(help: "Administrator's username (lower-case letters, digits, . _ -).")
    var adminUsername: String

    func run() async throws {
        guard let password = ProcessInfo.processInfo.environment["LIUSHOU_ADMIN_PASSWORD"], !password.isEmpty else {
            throw ValidationError("set LIUSHOU_ADMIN_PASSWORD to the administrator's initial password")
        }
        let (configuration, logger) = try self.common.configured()
        try await OwnerConnection.with(configuration, logger: logger) { owner in
            let catalog = try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory(explicit: configuration.sqlDirectory))
            try await Migrator(catalog: catalog, logger: logger).migrate(pool: owner)
            let hasher = try PasswordHasher(cost: configuration.bcryptCost)
            let seeder = PlatformSeeder(owner: owner, hasher: hasher, auditActor: "cli:bootstrap")
            let county = try await seeder.unit(.county, name: self.countyName, code: self.countyCode)
            try await seeder.user(self.adminUsername, password: password, home: county, grants: [(.countyAdmin, county)], mustChangePassword: true)
            await hasher.shutdown()
            print("created county \(county.name) (\(county.id.uuidString.lowercased())) and administrator \(self.adminUsername.lowercased());")
            print("the administrator must choose a new password at first login")
        }
    }
}
