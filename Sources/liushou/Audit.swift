import ArgumentParser
import Foundation
import LiushouPlatform
import LiushouServer

/// `liushou audit verify [--checkpoint FILE]`: checks the audit log's hash chain, and that the log
/// still reaches every signed checkpoint the server wrote.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Audit log tools.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the audit log's hash chain; exit 1 at the first edited or missing row.",
            discussion: """
                With --checkpoint, also check a file of signed checkpoints (LIUSHOU_AUDIT_CHECKPOINT_FILE, written by \
                `serve`): every signature must be valid under LIUSHOU_DATA_KEY and the log must still hold each \
                checkpoint's row with the same hash, so rows deleted from the end of the log are found too.
                """
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "A checkpoint file (JSON lines) written by the server; the log must reach every checkpoint in it.")
        var checkpoint: String?

        func run() async throws {
            let (configuration, logger) = try self.common.configured()
            let checkpoints = try self.checkpoint.map { try String(contentsOfFile: $0, encoding: .utf8) }
            var dataKey = configuration.dataKey
            var previous = configuration.previousDataKeys
            if checkpoints != nil, configuration.databaseURL == nil {
                // The embedded default keeps its data keys next to the cluster, retired ones included.
                let embedded = EmbeddedDataKeys(directory: configuration.dataDirectory)
                if dataKey == nil { dataKey = embedded.current }
                previous += [embedded.current, embedded.next].compactMap { $0 } + embedded.retired
            }
            if checkpoints != nil, dataKey == nil {
                throw ValidationError("--checkpoint needs the data key the checkpoints were signed with (LIUSHOU_DATA_KEY)")
            }
            var intact = true
            try await OwnerConnection.with(configuration, logger: logger) { owner in
                let report = try await AuditVerifier(pool: owner).verify()
                if let problem = report.problem {
                    print("audit chain BROKEN after \(report.rows) intact row(s): \(problem)")
                    intact = false
                } else {
                    print("audit chain intact: \(report.rows) row(s)")
                }
                if let checkpoints, let dataKey {
                    let check = try await AuditCheckpoint.check(
                        file: checkpoints,
                        key: AuditCheckpoint.Key(dataKey: dataKey),
                        previous: previous.filter { $0 != dataKey }.map(AuditCheckpoint.Key.init(dataKey:)),
                        owner: owner
                    )
                    if let problem = check.problem {
                        print("audit checkpoints FAILED after \(check.checkpoints) good checkpoint(s): \(problem)")
                        intact = false
                    } else {
                        print("audit checkpoints reached: \(check.checkpoints) checkpoint(s)")
                    }
                }
            }
            if !intact { throw ExitCode(1) }
        }
    }
}
