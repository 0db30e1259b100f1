import ArgumentParser
import Foundation
import LiushouPlatform
import LiushouServer

/// `liushou keys rotate|status`: rotation of the key ID numbers are sealed with (LIUSHOU_DATA_KEY).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rotate the key ID numbers are sealed with (LIUSHOU_DATA_KEY).",
        discussion: """
            With an external database, while the servers run:
              1. restart every server with LIUSHOU_DATA_KEY=<new key> and LIUSHOU_DATA_KEY_PREVIOUS=<old key>
                 (they seal and digest under the new key and still open and find values under the old one);
              2. run `liushou keys rotate` with the same two variables; run it again if it was interrupted;
              3. when `liushou keys status` shows nothing left, restart the servers without LIUSHOU_DATA_KEY_PREVIOUS.
                 Keep the old key in your secret store: `audit verify --checkpoint` needs it for checkpoints signed
                 before the rotation (give it as LIUSHOU_DATA_KEY_PREVIOUS then).
            With the embedded database, stop the server, run `LIUSHOU_DATA_KEY=<new key> liushou keys rotate`: the old
            key is read from the data directory and the new one is written there first (data-key.next), so an
            interrupted rotation loses nothing; run it again with the same key to finish. When nothing is left to
            re-seal, the new key becomes data-key and the old one stays as data-key.retired.<id>.
            """,
        subcommands: [Rotate.self, Status.self]
    )

    /// The ring the command works with: the new key current, the old ones previous; and the
    /// embedded data directory's keys, if the database is the embedded one.
    static func vault(_ configuration: ServerConfiguration, requireNew: Bool) throws -> (vault: IdentifierVault, embedded: EmbeddedDataKeys?) {
        let embedded = configuration.databaseURL == nil ? EmbeddedDataKeys(directory: configuration.dataDirectory) : nil
        // Without a new key given, an unfinished embedded rotation is measured against its new key.
        guard let current = configuration.dataKey ?? (requireNew ? nil : embedded?.next ?? embedded?.current) else {
            throw ValidationError("set LIUSHOU_DATA_KEY to the new key (and LIUSHOU_DATA_KEY_PREVIOUS to the old one)")
        }
        let previous = configuration.openingDataKeys(besides: current)
        if requireNew, previous.isEmpty {
            throw ValidationError("set LIUSHOU_DATA_KEY_PREVIOUS to the key the identifiers are sealed with now")
        }
        do {
            return (try IdentifierVault(secret: current, previous: previous), embedded)
        } catch IdentifierVault.VaultError.duplicateKey {
            throw ValidationError("LIUSHOU_DATA_KEY and LIUSHOU_DATA_KEY_PREVIOUS must be different keys")
        } catch IdentifierVault.VaultError.secretTooShort {
            throw ValidationError("every data key must be at least 32 characters")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-seal every stored ID number under LIUSHOU_DATA_KEY (values under LIUSHOU_DATA_KEY_PREVIOUS are opened)."
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "Rows a transaction re-seals (each holds its rows' locks briefly).")
        var batchSize = 500

        func run() async throws {
            guard (1...10_000).contains(self.batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000") }
            let (configuration, logger) = try self.common.configured()
            let (vault, embedded) = try Keys.vault(configuration, requireNew: true)
            if embedded != nil, let newKey = configuration.dataKey, newKey != newKey.trimmingCharacters(in: .whitespacesAndNewlines) {
                // The data directory keeps keys as trimmed text: a key with a line ending would be lost.
                throw ValidationError("LIUSHOU_DATA_KEY begins or ends with whitespace (a line ending from an env file?): remove it")
            }
            var finished = false
            // The embedded cluster's start takes the data directory's lock: the key files change under it only.
            try await OwnerConnection.with(configuration, logger: logger) { owner in
                if let embedded, let newKey = configuration.dataKey {
                    do {
                        try embedded.beginRotation(to: newKey)
                    } catch let error as EmbeddedDataKeys.RotationError {
                        throw ValidationError(error.description)
                    }
                }
                let rotation = DataKeyRotation(vault: vault)
                let started = ContinuousClock.now
                let reports = try await rotation.run(owner: owner, batchSize: self.batchSize)
                let left = try await rotation.census(owner: owner)
                print("key \(vault.keyID) (previous: \(vault.keyIDs.dropFirst().joined(separator: ", ")))")
                for report in reports {
                    let remaining = left.first { $0.table == report.table }?.left ?? 0
                    print("  \(report.table): \(report.resealed) re-sealed, \(remaining) left")
                    for id in report.clashes {
                        print("    \(id.uuidString.lowercased()): another active record holds the same ID number; resolve it, then rotate again")
                    }
                    for id in report.unreadable {
                        print("    \(id.uuidString.lowercased()): opens under none of the keys given (a key missing from LIUSHOU_DATA_KEY_PREVIOUS?)")
                    }
                }
                let elapsed = (ContinuousClock.now - started).components
                print(String(format: "%.1f s", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
                finished = left.allSatisfy { $0.left == 0 }
                if finished, let embedded { try embedded.finishRotation(expecting: vault.keyID) }
            }
            guard finished else {
                if embedded != nil {
                    print(
                        "not finished: run `liushou keys rotate` again with the same LIUSHOU_DATA_KEY (until then every command opens values under both keys)"
                    )
                } else {
                    print("not finished: keep LIUSHOU_DATA_KEY_PREVIOUS until `liushou keys status` shows nothing left")
                }
                throw ExitCode(1)
            }
            if embedded != nil {
                print("the embedded data directory now keeps the new key (the old one stays as data-key.retired.<id> for audit checkpoints)")
            } else {
                print("done: restart the servers without LIUSHOU_DATA_KEY_PREVIOUS; keep the old key for `audit verify --checkpoint`")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count the stored ID numbers not yet sealed under LIUSHOU_DATA_KEY.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            let (configuration, logger) = try self.common.configured()
            let (vault, _) = try Keys.vault(configuration, requireNew: false)
            var left = 0
            try await OwnerConnection.with(configuration, logger: logger) { owner in
                print("key \(vault.keyID)")
                for census in try await DataKeyRotation(vault: vault).census(owner: owner) {
                    print("  \(census.table): \(census.sealed) with sealed ID numbers, \(census.left) not under this key")
                    left += census.left
                }
            }
            if left > 0 { throw ExitCode(1) }
        }
    }
}
