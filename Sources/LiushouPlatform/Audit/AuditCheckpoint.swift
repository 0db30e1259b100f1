import Crypto
import Foundation
import LiushouPostgres

/// A signed statement that the audit log held `position` rows, the last with `hash`, at `takenAt`.
/// Checkpoints are written outside the database (a file the operator ships elsewhere, and the
/// log); deleting the newest audit rows then shows as a log that no longer reaches a checkpoint.
/// The signature is an HMAC-SHA256 under a key derived from `LIUSHOU_DATA_KEY`, so a checkpoint
/// file cannot be edited to match a shortened log without that key. Each checkpoint names the data
/// key's id (`key`, not signed: a wrong one only makes the check fail), so that after a rotation the
/// verifier can say which retired key it needs.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    public var position: Int
    /// The newest row's hash, hex.
    public var hash: String
    /// When the newest row was written.
    public var rowAt: String
    /// When the checkpoint was taken.
    public var takenAt: String
    /// HMAC-SHA256 over the fields above, hex.
    public var signature: String
    /// The id of the data key the signing key derives from (absent in checkpoints before key rotation).
    public var key: String?

    /// The signing key, derived from the data key.
    public struct Key: Sendable {
        let bytes: Data
        /// The data key's id, as `IdentifierVault` names it.
        let id: String?

        public init(dataKey: String) {
            self.id = try? IdentifierVault.keyID(of: dataKey)
            let derived = HKDF<SHA256>.deriveKey(
                inputKeyMaterial: SymmetricKey(data: Data(dataKey.utf8)),
                salt: Data("liushou audit checkpoint".utf8),
                info: Data("hmac-sha256 v1".utf8),
                outputByteCount: 32
            )
            self.bytes = derived.withUnsafeBytes { Data($0) }
        }

        func sign(_ text: String) -> String {
            Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: self.bytes))).hex
        }
    }

    /// The log's head as the application role may read it (`nil` for an empty log).
    public static func take(pool: PostgresConnectionPool, key: Key, now: Date = Date()) async throws -> AuditCheckpoint? {
        guard
            let row = try await pool.query(
                """
                select chain_position, hash, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text from audit_log_head()
                """
            ).first
        else { return nil }
        var checkpoint = AuditCheckpoint(
            position: try row.decode("chain_position", as: Int.self),
            hash: try row.decode("hash", as: Data.self).hex,
            rowAt: try row.decode("at_text", as: String.self),
            takenAt: now.postgresText,
            signature: "",
            key: key.id
        )
        checkpoint.signature = key.sign(checkpoint.signedText)
        return checkpoint
    }

    var signedText: String { "v1|\(self.position)|\(self.hash)|\(self.rowAt)|\(self.takenAt)" }

    /// Whether the signature is this key's over these fields.
    public func isSigned(by key: Key) -> Bool {
        let expected = Array(key.sign(self.signedText).utf8)
        let given = Array(self.signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// One JSON line for the checkpoint file.
    public func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// What checking a checkpoint file against the log found.
    public struct Check: Sendable, Equatable {
        /// Checkpoints checked.
        public var checkpoints: Int
        /// The first problem, or `nil` when the log reaches every checkpoint with the same hashes.
        public var problem: String?
    }

    /// Checks every line of a checkpoint file: its signature, and that the log (read through an
    /// owner connection) still holds the row it names with the same hash. Checkpoints signed before
    /// a key rotation verify under the `previous` keys.
    public static func check(file text: String, key: Key, previous: [Key] = [], owner: PostgresConnectionPool) async throws -> Check {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return Check(checkpoints: 0, problem: "the checkpoint file holds no checkpoint") }
        let head = try await owner.query("select coalesce(max(chain_position), 0) as n from audit_log").first?.decode("n", as: Int.self) ?? 0
        var checked = 0
        for (index, line) in lines.enumerated() {
            guard let checkpoint = try? JSONDecoder().decode(AuditCheckpoint.self, from: Data(line.utf8)) else {
                return Check(checkpoints: checked, problem: "line \(index + 1) of the checkpoint file is not a checkpoint")
            }
            let keys = [key] + previous
            guard keys.contains(where: { checkpoint.isSigned(by: $0) }) else {
                if let id = checkpoint.key, !keys.contains(where: { $0.id == id }) {
                    return Check(
                        checkpoints: checked,
                        problem: """
                            line \(index + 1) was signed under data key \(id), which was not given: set LIUSHOU_DATA_KEY_PREVIOUS to it \
                            (the embedded data directory keeps rotated keys as data-key.retired.<id>)
                            """
                    )
                }
                return Check(checkpoints: checked, problem: "line \(index + 1): the signature does not match (edited, or another data key)")
            }
            guard checkpoint.position <= head else {
                return Check(
                    checkpoints: checked,
                    problem: """
                        rows \(head + 1)…\(checkpoint.position) are missing: the checkpoint of \(checkpoint.takenAt) saw \(checkpoint.position) rows, \
                        the log now ends at \(head)
                        """
                )
            }
            let stored = try await owner.query("select hash from audit_log where chain_position = \(checkpoint.position)").first?
                .decode("hash", as: Data.self)
            guard stored?.hex == checkpoint.hash else {
                return Check(checkpoints: checked, problem: "row \(checkpoint.position) is not the row the checkpoint of \(checkpoint.takenAt) saw")
            }
            checked += 1
        }
        return Check(checkpoints: checked, problem: nil)
    }
}
