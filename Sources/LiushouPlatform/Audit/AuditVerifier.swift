import Crypto
import Foundation
import LiushouPostgres

/// Recomputes the audit log's hash chains from the stored fields and reports the first break.
///
/// Rows written before migration 0029 form one chain (`chain` null): positions 1, 2, … without
/// gaps, each linked to the one before. Its length and last hash were recorded when the log was
/// split into 16 chains (`audit_chain_origin`); each of those starts from that hash and links its
/// rows in position order. The same checks run in the database as `audit_log_verify()`.
public struct AuditVerifier: Sendable {
    /// What verification found.
    public struct Report: Sendable, Equatable {
        /// Rows checked.
        public var rows: Int
        /// The first problem, or `nil` when the chain is intact.
        public var problem: String?
    }

    /// The number of chains rows are spread over since migration 0029.
    public static let stripes = 16

    private let pool: PostgresConnectionPool

    /// A verifier reading through `pool` (an owner connection: it must see every row).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Walks the single chain, then each stripe, in pages.
    public func verify(pageSize: Int = 5_000) async throws -> Report {
        var checked = 0
        var previousHash = Data()
        var expectedPosition = 1
        while true {
            let rows = try await self.page(where: "chain is null and chain_position >= \(expectedPosition)", limit: pageSize)
            if rows.isEmpty { break }
            for row in rows {
                let position = try row.decode("chain_position", as: Int.self)
                guard position == expectedPosition else {
                    return Report(rows: checked, problem: "row \(expectedPosition) is missing (next row is \(position))")
                }
                guard try row.decode("prev_hash", as: Data.self) == previousHash else {
                    return Report(rows: checked, problem: "row \(position) does not follow row \(position - 1) (chain link broken)")
                }
                guard let hash = try Self.verifiedHash(of: row, position: position, chain: nil) else {
                    return Report(rows: checked, problem: "row \(position) was altered (its hash does not match its fields)")
                }
                previousHash = hash
                expectedPosition += 1
                checked += 1
            }
        }
        let origin = try await self.pool.query("select legacy_rows, genesis from audit_chain_origin").first
        guard let origin else { return Report(rows: checked, problem: "the start of the audit log's chains is missing") }
        let genesis = try origin.decode("genesis", as: Data.self)
        let legacyRows = try origin.decode("legacy_rows", as: Int.self)
        guard legacyRows == checked, genesis == previousHash else {
            return Report(rows: checked, problem: "rows \(checked + 1)…\(legacyRows) of the log before its chains were striped are missing")
        }
        for stripe in 0..<Self.stripes {
            var previous = genesis
            var after = 0
            while true {
                let rows = try await self.page(where: "chain = \(stripe) and chain_position > \(after)", limit: pageSize)
                if rows.isEmpty { break }
                for row in rows {
                    let position = try row.decode("chain_position", as: Int.self)
                    guard try row.decode("prev_hash", as: Data.self) == previous else {
                        return Report(
                            rows: checked,
                            problem: """
                                row \(position) does not follow the row before it in chain \(stripe) \
                                (a row between them is missing, or the link was altered)
                                """
                        )
                    }
                    guard let hash = try Self.verifiedHash(of: row, position: position, chain: stripe) else {
                        return Report(rows: checked, problem: "row \(position) was altered (its hash does not match its fields)")
                    }
                    previous = hash
                    after = position
                    checked += 1
                }
            }
        }
        return Report(rows: checked, problem: nil)
    }

    private func page(where condition: SQLQuery, limit: Int) async throws -> PostgresResult {
        try await self.pool.query(
            """
            select chain_position, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text,
                account_id::text as account_id, account_name, role, unit_id::text as unit_id, unit_path::text as unit_path,
                action, resource, record_id, result, client_address, request_id, detail::text as detail, prev_hash, hash
            from audit_log where \(condition) order by chain_position limit \(limit)
            """
        )
    }

    /// The row's stored hash when it matches sha256(prev_hash ‖ canonical fields), else `nil`.
    private static func verifiedHash(of row: PostgresRow, position: Int, chain: Int?) throws -> Data? {
        var fields: [String?] = [
            String(position), try row.decode("at_text", as: String.self), try row.decode("account_id", as: String?.self),
            try row.decode("account_name", as: String?.self), try row.decode("role", as: String?.self),
            try row.decode("unit_id", as: String?.self), try row.decode("unit_path", as: String?.self),
            try row.decode("action", as: String.self), try row.decode("resource", as: String.self),
            try row.decode("record_id", as: String?.self), try row.decode("result", as: String.self),
            try row.decode("client_address", as: String?.self), try row.decode("request_id", as: String?.self),
            try row.decode("detail", as: String?.self),
        ]
        if let chain { fields.append(String(chain)) }
        let canonical = fields.map { field in
            let text = field ?? ""
            return "\(text.utf8.count):\(text)"
        }.joined(separator: "|")
        let previous = try row.decode("prev_hash", as: Data.self)
        let stored = try row.decode("hash", as: Data.self)
        return stored == Data(SHA256.hash(data: previous + Data(canonical.utf8))) ? stored : nil
    }
}
