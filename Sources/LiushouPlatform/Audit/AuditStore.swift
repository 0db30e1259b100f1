import Foundation
import LiushouPostgres

/// Reads the audit log: pages inside the caller's scopes, and the whole chain's verification.
struct AuditStore: Sendable {
    /// What a page of the log is filtered by; `after` is the last chain position already read.
    struct Filter {
        var scopes: [String]
        var after: Int
        var from: Date?
        var to: Date?
        var action: String?
        var accountID: UUID?
        var limit: Int
    }

    func records(_ filter: Filter, in transaction: PostgresTransaction) async throws -> [AuditController.Record] {
        try await transaction.query(
            """
            select chain_position, at, account_id, account_name, role, unit_id, action, resource, record_id, result,
                   client_address, request_id
            from audit_log
            where chain_position > \(filter.after)
              and unit_path <@ \(filter.scopes)::ltree[]
              and (\(filter.from)::timestamptz is null or at >= \(filter.from))
              and (\(filter.to)::timestamptz is null or at < \(filter.to))
              and (\(filter.action)::text is null or action = \(filter.action))
              and (\(filter.accountID)::uuid is null or account_id = \(filter.accountID))
            order by chain_position
            limit \(filter.limit)
            """
        ).map { row in
            AuditController.Record(
                position: try row.decode("chain_position"),
                at: try row.decode("at"),
                accountId: try row.decode("account_id"),
                accountName: try row.decode("account_name"),
                role: try row.decode("role"),
                unitId: try row.decode("unit_id"),
                action: try row.decode("action"),
                resource: try row.decode("resource"),
                recordId: try row.decode("record_id"),
                result: try row.decode("result"),
                clientAddress: try row.decode("client_address"),
                requestId: try row.decode("request_id")
            )
        }
    }

    /// Rows checked and the first break of the hash chain, if any. `audit_log_verify()` runs as the
    /// owner (the chain spans every tenant's rows) and answers no row contents.
    func verify(in transaction: PostgresTransaction) async throws -> (rows: Int, problem: String?) {
        let row = try await transaction.query("select rows_checked, problem from audit_log_verify()").first
        return (try row?.decode("rows_checked", as: Int.self) ?? 0, try row?.decode("problem", as: String?.self) ?? nil)
    }
}
