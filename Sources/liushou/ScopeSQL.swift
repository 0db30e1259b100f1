import ArgumentParser
import Foundation
import LiushouPlatform
import LiushouServer

/// `liushou admin scope-sql USER`: the statements that give a psql transaction exactly the user's
/// row-level security view (the role and settings every server transaction of that user starts with).
struct ScopeSQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scope-sql",
        abstract: "Print the SQL that makes a transaction see what a user sees (for psql, pgbench or a support check).",
        discussion: "Run the output inside BEGIN … COMMIT on an owner connection: it switches to the application role and sets the user's scopes."
    )

    @OptionGroup var common: CommonOptions
    @Argument(help: "The account.") var username: String

    func run() async throws {
        let (configuration, logger) = try self.common.configured()
        try await OwnerConnection.with(configuration, logger: logger) { owner in
            let caller = try await Import.Persons.caller(self.username, owner: owner)
            print("-- inside BEGIN … COMMIT only: outside a transaction these do nothing and the owner sees every row")
            print("set local role \(DatabaseRoles.applicationRole);")
            for setting in TenantDatabase.scopeSettings(for: caller) {
                print("select set_config('\(setting.name)', '\(setting.value.replacingOccurrences(of: "'", with: "''"))', true);")
            }
        }
    }
}
