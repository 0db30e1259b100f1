import ArgumentParser
import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import LiushouServer

/// `liushou import persons FILE --as USER`: imports a ledger on the server's machine with a progress bar.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import ledgers (台账).", subcommands: [Persons.self])

    struct Persons: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a person ledger CSV (UTF-8, UTF-8 with BOM, or GBK): all rows or none; re-imports match on ID numbers.",
            discussion: """
                Connects with the database owner's URL but works as the application role (row-level security
                applies), acting as the named account: the account's grants decide which villages the file may fill,
                and the audit log names it. The ID-number key comes from
                LIUSHOU_DATA_KEY, or from the embedded data directory.
                """
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The CSV file.")
        var file: String

        @Option(name: .customLong("as"), help: "The account the import acts as (its grants decide the scope).")
        var username: String

        @Flag(help: "Check every row and report what would change, writing nothing.")
        var dryRun = false

        func run() async throws {
            let (configuration, logger) = try self.common.configured()
            let data = try Data(contentsOf: URL(fileURLWithPath: self.file))
            let key = try configuration.dataKey ?? Self.embeddedKey(configuration)
            let vault = try IdentifierVault(secret: key, previous: configuration.openingDataKeys(besides: key))
            var failure: (any Error)? = nil
            try await OwnerConnection.with(configuration, logger: logger) { owner in
                let caller = try await Self.caller(self.username, owner: owner)
                let repository = PostgresPersonRepository(vault: vault)
                let importer = PersonImporter(service: PersonService(repository: repository, vault: vault), repository: repository)
                let started = ContinuousClock.now
                do {
                    let report = try await importer.run(
                        data,
                        dryRun: self.dryRun,
                        caller: caller,
                        origin: .command("import persons"),
                        database: TenantDatabase(pool: owner, role: DatabaseRoles.applicationRole),
                        progress: { done, total in ProgressBar.draw(done: done, total: total) }
                    )
                    let elapsed = ContinuousClock.now - started
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    FileHandle.standardError.write(Data("\n".utf8))
                    print(
                        """
                        \(self.dryRun ? "dry run: " : "")\(report.rows) rows (\(report.encoding.rawValue)): \(report.created) created, \
                        \(report.updated) updated, \(report.unchanged) unchanged, \(report.failed) with errors
                        """
                    )
                    for row in report.results where !row.errors.isEmpty {
                        print("  line \(row.line): " + row.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
                    }
                    print(String(format: "%.1f s, %.0f rows/s", seconds, Double(report.rows) / max(seconds, 0.001)))
                    if report.failed > 0 { failure = ExitCode(1) }
                } catch let refusal as any ProblemConvertible {
                    let problem = refusal.problem
                    FileHandle.standardError.write(Data("\n".utf8))
                    print("nothing imported: \(problem.title)")
                    for error in problem.errors.prefix(200) { print("  \(error.field): \(error.message)") }
                    failure = ExitCode(1)
                }
            }
            if let failure { throw failure }
        }

        /// The key the embedded default keeps in its data directory.
        static func embeddedKey(_ configuration: ServerConfiguration) throws -> String {
            guard configuration.databaseURL == nil, let key = EmbeddedDataKeys(directory: configuration.dataDirectory).current else {
                throw ValidationError("set LIUSHOU_DATA_KEY (the key the server seals ID numbers with)")
            }
            return key
        }

        /// The account's active grants, read with the owner's connection.
        static func caller(_ username: String, owner: PostgresConnectionPool) async throws -> Caller {
            let rows = try await owner.query(
                """
                select a.id, a.username, g.role, g.unit_id, u.path::text as path
                from account a join role_grant g on g.account_id = a.id and g.revoked_at is null
                join org_unit u on u.id = g.unit_id and u.active
                where a.username = \(username.lowercased()) and a.disabled_at is null
                """
            )
            guard let first = rows.first else { throw ValidationError("no active account \(username) with grants") }
            let grants = try rows.compactMap { row -> Grant? in
                guard let role = Role(rawValue: try row.decode("role")) else { return nil }
                return Grant(role: role, unitID: try row.decode("unit_id"), unitPath: try row.decode("path"))
            }
            return Caller(accountID: try first.decode("id"), name: try first.decode("username"), kind: .user, grants: grants, credentialID: UUID())
        }
    }
}

/// A one-line progress bar on standard error.
enum ProgressBar {
    static func draw(done: Int, total: Int) {
        let width = 30
        let filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) rows".utf8))
    }
}
