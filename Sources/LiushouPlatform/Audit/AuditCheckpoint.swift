import Crypto
import Foundation
import LiushouPostgres

/// A signed statement of the audit log's newest rows at `takenAt`: the newest of the whole log
/// (`position`, `hash`) and, since the log is kept in 16 chains (migration 0029), the newest row of
/// every chain (`heads`). Checkpoints are written outside the database (a file the operator ships elsewhere, and the
/// log); deleting the newest audit rows then shows as a log that no longer reaches a checkpoint.
/// The signature is an HMAC-SHA256 under a key derived from `LIUSHOU_DATA_KEY`, so a checkpoint
/// file cannot be edited to match a shortened log without that key. Each checkpoint names the data
/// key's id (`key`, not signed: a wrong one only makes the check fail), so that after a rotation the
/// verifier can say which retired key it needs.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    /// The newest row of one chain.
    public struct Head: Sendable, Equatable, Codable {
        /// The chain (0–15); `nil` for the single chain of rows written before migration 0029.
        public var chain: Int?
        public var position: Int
        /// The row's hash, hex.
        public var hash: String
    }

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
    /// The newest row of every chain, by chain (absent in checkpoints before the chains: those name
    /// only `position`).
    public var heads: [Head]?

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

    /// The log's heads as the application role may read them (`nil` for an empty log).
    public static func take(pool: PostgresConnectionPool, key: Key, now: Date = Date()) async throws -> AuditCheckpoint? {
        let rows = try await pool.query(
            """
            select chain::int as chain, chain_position, hash, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text
            from audit_log_heads() order by chain_position
            """
        )
        guard let newest = rows.last else { return nil }
        let heads = try rows.map { row in
            Head(
                chain: try row.decode("chain", as: Int?.self),
                position: try row.decode("chain_position", as: Int.self),
                hash: try row.decode("hash", as: Data.self).hex
            )
        }
        var checkpoint = AuditCheckpoint(
            position: try newest.decode("chain_position", as: Int.self),
            hash: try newest.decode("hash", as: Data.self).hex,
            rowAt: try newest.decode("at_text", as: String.self),
            takenAt: now.postgresText,
            signature: "",
            key: key.id,
            heads: heads.sorted { ($0.chain ?? -1) < ($1.chain ?? -1) }
        )
        checkpoint.signature = key.sign(checkpoint.signedText)
        return checkpoint
    }

    /// Every chain's head (chain, position, hash): what a checkpoint says beyond its times.
    public var headsText: String {
        (self.heads ?? [Head(chain: nil, position: self.position, hash: self.hash)])
            .map { "\($0.chain.map(String.init) ?? "-"):\($0.position):\($0.hash)" }.joined(separator: ",")
    }

    var signedText: String {
        guard self.heads != nil else { return "v1|\(self.position)|\(self.hash)|\(self.rowAt)|\(self.takenAt)" }
        return "v2|\(self.position)|\(self.hash)|\(self.headsText)|\(self.rowAt)|\(self.takenAt)"
    }

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
        // CRLF is one Character: split on line breaks of either kind.
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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
                        rows \(head + 1)…\(checkpoint.position) are missing: the checkpoint of \(checkpoint.takenAt) saw the log up to row \
                        \(checkpoint.position), the log now ends at row \(head)
                        """
                )
            }
            // Every chain must still reach the row the checkpoint saw at its end (before the chains:
            // the one newest row).
            let heads = checkpoint.heads ?? [Head(chain: nil, position: checkpoint.position, hash: checkpoint.hash)]
            for expected in heads {
                let stored = try await owner.query(
                    "select hash, chain::int as chain from audit_log where chain_position = \(expected.position)"
                ).first
                let chain = try stored?.decode("chain", as: Int?.self)
                guard try stored?.decode("hash", as: Data.self).hex == expected.hash, checkpoint.heads == nil || chain == expected.chain else {
                    let which = expected.chain.map { "the newest of chain \($0)" } ?? "the newest"
                    return Check(
                        checkpoints: checked,
                        problem: """
                            row \(expected.position) is not the row the checkpoint of \(checkpoint.takenAt) saw as \(which): \
                            rows were deleted from the end of the log or altered
                            """
                    )
                }
            }
            checked += 1
        }
        return Check(checkpoints: checked, problem: nil)
    }
}
