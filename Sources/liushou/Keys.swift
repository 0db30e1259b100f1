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
            With the embedded database, stop the server, run `LIUSHOU_DATA_KEY=<new key> liushou keys rotate`: the old
            key is read from the data directory, and the new one replaces it there when nothing is left to re-seal.
            """,
        subcommands: [Rotate.self, Status.self]
    )

    /// The ring the command works with: the new key current, the old ones previous.
    static func vault(_ configuration: ServerConfiguration, requireNew: Bool) throws -> (vault: IdentifierVault, embeddedKeyFile: URL?) {
        let file = configuration.dataDirectory.appendingPathComponent("data-key")
        let embeddedKey = configuration.databaseURL == nil
            ? (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) : nil
        var previous = configuration.previousDataKeys
        if previous.isEmpty, let embeddedKey, let given = configuration.dataKey, embeddedKey != given { previous = [embeddedKey] }
        guard let current = configuration.dataKey ?? (requireNew ? nil : embeddedKey) else {
            throw ValidationError("set LIUSHOU_DATA_KEY to the new key (and LIUSHOU_DATA_KEY_PREVIOUS to the old one)")
        }
        if requireNew, previous.isEmpty {
            throw ValidationError("set LIUSHOU_DATA_KEY_PREVIOUS to the key the identifiers are sealed with now")
        }
        do {
            return (try IdentifierVault(secret: current, previous: previous), embeddedKey == nil ? nil : file)
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
            var configuration = ServerConfiguration()
            try self.common.apply(to: &configuration)
            guard (1...10_000).contains(self.batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000") }
            let logger = CommonOptions.bootstrapLogging(configuration)
            let (vault, keyFile) = try Keys.vault(configuration, requireNew: true)
            var finished = false
            try await OwnerConnection.with(configuration, logger: logger) { owner in
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
                }
                let elapsed = (ContinuousClock.now - started).components
                print(String(format: "%.1f s", Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
                finished = left.allSatisfy { $0.left == 0 }
            }
            guard finished else {
                print("not finished: keep LIUSHOU_DATA_KEY_PREVIOUS until `liushou keys status` shows nothing left")
                throw ExitCode(1)
            }
            if let keyFile, let key = configuration.dataKey {
                try Keys.replaceKeyFile(keyFile, with: key)
                print("the embedded data directory now keeps the new key")
            } else {
                print("done: restart the servers without LIUSHOU_DATA_KEY_PREVIOUS")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count the stored ID numbers not yet sealed under LIUSHOU_DATA_KEY.")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            var configuration = ServerConfiguration()
            try self.common.apply(to: &configuration)
            let logger = CommonOptions.bootstrapLogging(configuration)
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

    /// Replaces the embedded key file atomically (owner-only permissions).
    static func replaceKeyFile(_ file: URL, with key: String) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".data-key.new")
        try? FileManager.default.removeItem(at: temporary)
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(temporary.path)")
        }
        guard rename(temporary.path, file.path) == 0 else { throw ValidationError("cannot replace \(file.path)") }
    }
}
