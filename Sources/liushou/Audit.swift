import ArgumentParser
import LiushouPlatform
import LiushouServer

/// `liushou audit verify`: checks the audit log's hash chain.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Audit log tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the audit log's hash chain; exit 1 at the first edited or missing row.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            var configuration = ServerConfiguration()
            try self.common.apply(to: &configuration)
            let logger = CommonOptions.bootstrapLogging(configuration)
            var intact = true
            try await OwnerConnection.with(configuration, logger: logger) { owner in
                let report = try await AuditVerifier(pool: owner).verify()
                if let problem = report.problem {
                    print("audit chain BROKEN after \(report.rows) intact row(s): \(problem)")
                    intact = false
                } else {
                    print("audit chain intact: \(report.rows) row(s)")
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }
}
