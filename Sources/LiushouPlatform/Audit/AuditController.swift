import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres
import NIOCore

/// `GET /v1/audit`: the audit log inside the caller's scope, filtered, in keyset pages, as JSON or CSV;
/// `GET /v1/audit/verify`: whether the whole log's hash chain is intact (counts and the first break only).
public struct AuditController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
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

    struct Page: Encodable {
        var items: [Record]
        var nextCursor: String?
    }

    struct Verification: Encodable {
        var intact: Bool
        var rows: Int
        var problem: String?
        var checkedAt: Date
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/audit/verify", .permission(.auditRead)) { request, context, caller in
            // audit_log_verify() runs as the owner (the chain spans every tenant's rows) and answers no row contents.
            let (rows, problem) = try await self.database.transaction(for: caller, kind: .bulk) { transaction -> (Int, String?) in
                let row = try await transaction.query("select rows_checked, problem from audit_log_verify()").first
                return (try row?.decode("rows_checked", as: Int.self) ?? 0, try row?.decode("problem", as: String?.self) ?? nil)
            }
            return try JSONResponse(Verification(intact: problem == nil, rows: rows, problem: problem, checkedAt: Date()))
                .response(from: request, context: context)
        }
        routes.on(.get, "/v1/audit", .permission(.auditRead)) { request, context, caller in
            let query = request.uri.queryParameters
            var problems: [Problem.FieldError] = []
            let limit = query["limit"].map { Int(String($0)) } ?? 100
            if limit == nil || !(1...1000).contains(limit ?? 0) { problems.append(.init(field: "limit", message: "must be 1 to 1000")) }
            let after = query["after"].map { Int(String($0)) } ?? 0
            if after == nil || (after ?? 0) < 0 { problems.append(.init(field: "after", message: "must be a cursor from nextCursor")) }
            let from = try Self.date(query["from"].map(String.init), field: "from", problems: &problems)
            let to = try Self.date(query["to"].map(String.init), field: "to", problems: &problems)
            let accountID = query["accountId"].flatMap { UUID(uuidString: String($0)) }
            if query["accountId"] != nil, accountID == nil { problems.append(.init(field: "accountId", message: "must be a UUID")) }
            let format = query["format"].map(String.init) ?? "json"
            if !["json", "csv"].contains(format) { problems.append(.init(field: "format", message: "must be json or csv")) }
            guard problems.isEmpty, let limit, let after else { throw Problem.validation(problems) }
            let action = query["action"].map(String.init)
            let scopes = caller.scopes(for: .auditRead)
            let records = try await self.database.transaction(for: caller, kind: .bulk) { transaction in
                try await transaction.query("""
                    select chain_position, at, account_id, account_name, role, unit_id, action, resource, record_id, result,
                           client_address, request_id
                    from audit_log
                    where chain_position > \(after)
                      and unit_path <@ \(scopes)::ltree[]
                      and (\(from)::timestamptz is null or at >= \(from))
                      and (\(to)::timestamptz is null or at < \(to))
                      and (\(action)::text is null or action = \(action))
                      and (\(accountID)::uuid is null or account_id = \(accountID))
                    order by chain_position
                    limit \(limit)
                    """).map(Self.record)
            }
            let next = records.count == limit ? records.last.map { String($0.position) } : nil
            if format == "csv" {
                return try Self.csv(records, next: next)
            }
            return try JSONResponse(Page(items: records, nextCursor: next)).response(from: request, context: context)
        }
    }

    private static func record(_ row: PostgresRow) throws -> Record {
        Record(
            position: try row.decode("chain_position"), at: try row.decode("at"), accountId: try row.decode("account_id"),
            accountName: try row.decode("account_name"), role: try row.decode("role"), unitId: try row.decode("unit_id"),
            action: try row.decode("action"), resource: try row.decode("resource"), recordId: try row.decode("record_id"),
            result: try row.decode("result"), clientAddress: try row.decode("client_address"), requestId: try row.decode("request_id")
        )
    }

    private static func date(_ text: String?, field: String, problems: inout [Problem.FieldError]) throws -> Date? {
        guard let text else { return nil }
        guard let date = Date(rfc3339: text) else {
            problems.append(.init(field: field, message: "must be an ISO 8601 time such as 2026-11-01T00:00:00+08:00, years 1900 to 2100"))
            return nil
        }
        return date
    }

    /// CSV with a UTF-8 BOM so Excel shows Chinese correctly; the next page's cursor is in `Link`.
    private static func csv(_ records: [Record], next: String?) throws -> Response {
        let formatter = ISO8601DateFormatter()
        var lines = ["position,time,account_id,account,role,unit_id,action,resource,record_id,result,client_address,request_id"]
        for record in records {
            let fields: [String] = [
                String(record.position), formatter.string(from: record.at), record.accountId?.uuidString.lowercased() ?? "",
                record.accountName ?? "", record.role ?? "", record.unitId?.uuidString.lowercased() ?? "", record.action,
                record.resource, record.recordId ?? "", record.result, record.clientAddress ?? "", record.requestId ?? "",
            ]
            lines.append(fields.map(Self.csvField).joined(separator: ","))
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"audit.csv\""
        if let next, let link = HTTPField.Name("Link") { headers[link] = "</v1/audit?format=csv&after=\(next)>; rel=\"next\"" }
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Quotes a field, and defuses spreadsheet formulas.
    static func csvField(_ value: String) -> String {
        var text = value
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        if text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
