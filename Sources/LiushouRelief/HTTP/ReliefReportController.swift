import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import NIOCore

/// `/v1/relief/overdue`, `/v1/relief/indicators`, `/v1/relief/payments.csv`: the town's lists and books.
public struct ReliefReportController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Overdue: Encodable {
        var caseId: UUID
        var personId: UUID
        var personName: String?
        var villageName: String?
        var typeKey: String
        var typeName: String
        var urgency: String
        var state: String
        var submittedAt: Date
        var decisionDueAt: Date
        var hoursLate: Int
    }

    struct Items<Item: Encodable>: Encodable {
        var items: [Item]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/relief/overdue", .permission(.reliefReports)) { request, _, caller in
            let unitID = try ReliefQuery.uuid("unitId", in: request)
            let items = try await self.database.transaction(for: caller) { transaction in
                let unit = try await ReliefQuery.unit(unitID, caller: caller, permission: .reliefReports, in: transaction)
                return try await transaction.query("""
                    select c.id, c.person_id, p.name as person_name, v.name as village_name, c.type_key, coalesce(t.name, c.type_key) as type_name,
                        c.urgency, c.state, c.submitted_at, c.decision_due_at, (extract(epoch from now() - c.decision_due_at) / 3600)::int as hours_late
                    from relief_case c join org_unit u on u.id = c.unit_id left join org_unit v on v.id = c.village_id
                        left join person p on p.id = c.person_id left join relief_case_type t on t.id = c.type_id
                    where c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now() and u.path <@ \(unit.path)::ltree
                    order by c.decision_due_at, c.id limit 500
                    """).map { row in
                    Overdue(caseId: try row.decode("id"), personId: try row.decode("person_id"), personName: try row.decode("person_name"),
                            villageName: try row.decode("village_name"), typeKey: try row.decode("type_key"), typeName: try row.decode("type_name"),
                            urgency: try row.decode("urgency"), state: try row.decode("state"), submittedAt: try row.decode("submitted_at"),
                            decisionDueAt: try row.decode("decision_due_at"), hoursLate: try row.decode("hours_late"))
                }
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.get, "/v1/relief/indicators", .permission(.reliefReports)) { request, _, caller in
            let unitID = try ReliefQuery.uuid("unitId", in: request)
            let day = try request.uri.queryParameters["on"].map { text -> LocalDate in
                guard let day = LocalDate(input: String(text)) else {
                    throw Problem.badRequest("on is invalid.", errors: [.init(field: "on", message: "must be a date YYYY-MM-DD, years 1900 to 2100")])
                }
                return day
            } ?? ReliefQuery.today()
            let indicators = try await self.database.transaction(for: caller) { transaction in
                let unit = try await ReliefQuery.unit(unitID, caller: caller, permission: .reliefReports, in: transaction)
                return try await ReliefIndicators.compute(unitID: unitID, path: unit.path, on: day, in: transaction)
            }
            return try JSONResponse(indicators)
        }
        routes.on(.get, "/v1/relief/payments.csv", .permission(.reliefReports)) { request, context, caller in
            let unitID = try ReliefQuery.uuid("unitId", in: request)
            let month = request.uri.queryParameters["month"].map(String.init) ?? ""
            guard month.range(of: "^[0-9]{4}-(0[1-9]|1[0-2])$", options: .regularExpression) != nil,
                  let year = Int(month.prefix(4)), let number = Int(month.suffix(2)),
                  let start = LocalDate(year: year, month: number, day: 1),
                  let end = LocalDate(year: number == 12 ? year + 1 : year, month: number == 12 ? 1 : number + 1, day: 1)
            else {
                throw Problem.badRequest("month is required.", errors: [.init(field: "month", message: "must be a month YYYY-MM")])
            }
            let text = try await self.database.transaction(for: caller, kind: .bulk) { transaction in
                let unit = try await ReliefQuery.unit(unitID, caller: caller, permission: .reliefReports, in: transaction)
                let book = try await PaymentBook.load(path: unit.path, from: start, until: end, in: transaction)
                try await AuditEntry(caller: caller, context: context, action: "relief.payments_export", resource: "relief_case",
                                     unitID: unitID, unitPath: unit.path,
                                     detail: ["month": month, "rows": String(book.lines.count)]).append(in: transaction)
                return book.csv
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"relief-payments-\(month).csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
