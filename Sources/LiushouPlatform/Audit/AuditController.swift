import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// `GET /v1/audit`: the audit log inside the caller's scope, filtered, in keyset pages, as JSON or CSV;
/// `GET /v1/audit/verify`: whether the whole log's hash chain is intact (counts and the first break only).
struct AuditController: Sendable {
    let database: TenantDatabase
    let store: AuditStore

    /// `GET /v1/audit`'s query, as sent; checked in `list`.
    struct ListQuery: Decodable {
        var limit: String?
        var after: String?
        var from: String?
        var to: String?
        var accountId: String?
        var format: String?
        var action: String?
    }

    struct Record: Encodable {
        var position: Int
        var at: Date
        var accountId: UUID?
        var accountName: String?
        var role: String?
        var unitId: UUID?
        var action: String
        var resource: String
        var recordId: String?
        var result: String
        var clientAddress: String?
        var requestId: String?
    }

    struct Verification: Encodable {
        var intact: Bool
        var rows: Int
        var problem: String?
        var checkedAt: Date
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (rows, problem) = try await self.database.transaction(for: caller, kind: .bulk) { try await self.store.verify(in: $0) }
        return try JSONResponse(Verification(intact: problem == nil, rows: rows, problem: problem, checkedAt: Date()))
    }

    /// A page of the log inside the caller's scope, as JSON or (`format=csv`) CSV.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Response {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        var problems: [Problem.FieldError] = []
        let limit = query.limit.map { Int($0) } ?? 100
        if limit == nil || !(1...1000).contains(limit ?? 0) { problems.append(.init(field: "limit", message: "must be 1 to 1000")) }
        let after = query.after.map { Int($0) } ?? 0
        if after == nil || (after ?? 0) < 0 { problems.append(.init(field: "after", message: "must be a cursor from nextCursor")) }
        let from = Self.date(query.from, field: "from", problems: &problems)
        let to = Self.date(query.to, field: "to", problems: &problems)
        let accountID = query.accountId.flatMap { UUID(canonical: $0) }
        if query.accountId != nil, accountID == nil { problems.append(.init(field: "accountId", message: "must be a UUID")) }
        let format = query.format ?? "json"
        if !["json", "csv"].contains(format) { problems.append(.init(field: "format", message: "must be json or csv")) }
        guard problems.isEmpty, let limit, let after else { throw Problem.validation(problems) }
        let filter = AuditStore.Filter(
            scopes: caller.scopes(for: .auditRead),
            after: after,
            from: from,
            to: to,
            action: query.action,
            accountID: accountID,
            limit: limit
        )
        let records = try await self.database.transaction(for: caller, kind: .bulk) { try await self.store.records(filter, in: $0) }
        let next = records.count == limit ? records.last.map { String($0.position) } : nil
        if format == "csv" {
            return try Self.csv(records, next: next).response(from: request, context: context)
        }
        return try JSONResponse(Page(items: records, nextCursor: next)).response(from: request, context: context)
    }

    private static func date(_ text: String?, field: String, problems: inout [Problem.FieldError]) -> Date? {
        guard let text else { return nil }
        guard let date = Date(queryTime: text) else {
            problems.append(.init(field: field, message: "must be an ISO 8601 time such as 2026-11-01T00:00:00+08:00, years 1900 to 2100"))
            return nil
        }
        return date
    }

    /// CSV with a UTF-8 BOM so Excel shows Chinese correctly; the next page's cursor is in `Link`.
    private static func csv(_ records: [Record], next: String?) -> CSVAttachment {
        let formatter = ISO8601DateFormatter()
        var csv = CSVWriter()
        csv.append([
            "position", "time", "account_id", "account", "role", "unit_id", "action", "resource", "record_id", "result", "client_address",
            "request_id",
        ])
        for record in records {
            csv.append([
                String(record.position), formatter.string(from: record.at), record.accountId?.uuidString.lowercased() ?? "",
                record.accountName ?? "", record.role ?? "", record.unitId?.uuidString.lowercased() ?? "", record.action,
                record.resource, record.recordId ?? "", record.result, record.clientAddress ?? "", record.requestId ?? "",
            ])
        }
        var headers = HTTPFields()
        if let next, let link = HTTPField.Name("Link") { headers[link] = "</v1/audit?format=csv&after=\(next)>; rel=\"next\"" }
        return CSVAttachment(csv.text, filename: "audit.csv", headers: headers)
    }
}
