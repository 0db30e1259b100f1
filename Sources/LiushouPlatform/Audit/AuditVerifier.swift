import Crypto
import Foundation
import LiushouPostgres

/// Recomputes the audit log's hash chain from the stored fields and reports the first break.
public struct AuditVerifier: Sendable {
    /// What verification found.
    public struct Report: Sendable, Equatable {
        /// Rows checked.
        public var rows: Int
        /// The first problem, or `nil` when the chain is intact.
        public var problem: String?
    }

    private let pool: PostgresConnectionPool

    /// A verifier reading through `pool` (an owner connection: it must see every row).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Walks the chain in order, in pages.
    public func verify(pageSize: Int = 5_000) async throws -> Report {
        var previousHash = Data()
        var expectedPosition = 1
        var checked = 0
        while true {
            let rows = try await self.pool.query(
                """
                select chain_position, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text,
                    account_id::text as account_id, account_name, role, unit_id::text as unit_id, unit_path::text as unit_path,
                    action, resource, record_id, result, client_address, request_id, detail::text as detail, prev_hash, hash
                from audit_log where chain_position >= \(expectedPosition) order by chain_position limit \(pageSize)
                """
            )
            if rows.isEmpty { return Report(rows: checked, problem: nil) }
            for row in rows {
                let position = try row.decode("chain_position", as: Int.self)
                guard position == expectedPosition else {
                    return Report(rows: checked, problem: "row \(expectedPosition) is missing (next row is \(position))")
                }
                let fields: [String?] = [
                    String(position), try row.decode("at_text", as: String.self), try row.decode("account_id", as: String?.self),
                    try row.decode("account_name", as: String?.self), try row.decode("role", as: String?.self),
                    try row.decode("unit_id", as: String?.self), try row.decode("unit_path", as: String?.self),
                    try row.decode("action", as: String.self), try row.decode("resource", as: String.self),
                    try row.decode("record_id", as: String?.self), try row.decode("result", as: String.self),
                    try row.decode("client_address", as: String?.self), try row.decode("request_id", as: String?.self),
                    try row.decode("detail", as: String?.self),
                ]
                let canonical = fields.map { field in
                    let text = field ?? ""
                    return "\(text.utf8.count):\(text)"
                }.joined(separator: "|")
                let storedPrevious = try row.decode("prev_hash", as: Data.self)
                guard storedPrevious == previousHash else {
                    return Report(rows: checked, problem: "row \(position) does not follow row \(position - 1) (chain link broken)")
                }
                let expected = Data(SHA256.hash(data: previousHash + Data(canonical.utf8)))
                let stored = try row.decode("hash", as: Data.self)
                guard stored == expected else {
                    return Report(rows: checked, problem: "row \(position) was altered (its hash does not match its fields)")
                }
                previousHash = stored
                expectedPosition += 1
                checked += 1
            }
        }
    }
}
