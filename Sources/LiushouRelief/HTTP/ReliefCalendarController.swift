import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/calendar`: a county's exceptions to Monday-to-Friday working days (public holidays,
/// weekend days worked in exchange), which decision deadlines count with.
public struct ReliefCalendarController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    /// One exception day.
    struct Day: Codable {
        var day: LocalDate
        var working: Bool
        var note: String?
    }

    struct SetBody: Decodable {
        var countyId: UUID
        var days: [Day]
    }

    struct Items: Encodable {
        var items: [Day]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/relief/calendar", .permission(.reliefRead)) { request, _, caller in
            let unitID = try ReliefQuery.uuid("unitId", in: request)
            let year = try request.uri.queryParameters["year"].map { text -> Int in
                guard let year = Int(text), (2000...2100).contains(year) else {
                    throw Problem.badRequest("year is invalid.", errors: [.init(field: "year", message: "must be 2000 to 2100")])
                }
                return year
            } ?? Int(ReliefQuery.today().description.prefix(4)) ?? 2000
            let items = try await self.database.transaction(for: caller) { transaction in
                let unit = try await ReliefQuery.unit(unitID, caller: caller, permission: .reliefRead, in: transaction)
                return try await transaction.query("""
                    select d.day, d.working, d.note from relief_calendar_day d join lateral liushou_unit_brief(d.county_id) c on true
                    where c.path = \(ReliefCaseTypes.countyPath(of: unit.path)) and extract(year from d.day) = \(year)
                    order by d.day
                    """).map { Day(day: try $0.decode("day"), working: try $0.decode("working"), note: try $0.decode("note")) }
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.put, "/v1/relief/calendar", .permission(.reliefRules)) { request, context, caller in
            let body = try await request.decodeJSON(as: SetBody.self, context: context)
            var errors: [Problem.FieldError] = []
            if !(1...400).contains(body.days.count) { errors.append(.init(field: "days", message: "name 1 to 400 days")) }
            if Set(body.days.map(\.day)).count != body.days.count { errors.append(.init(field: "days", message: "name each day once")) }
            for (index, day) in body.days.enumerated() where (day.note?.count ?? 0) > 100 {
                errors.append(.init(field: "days[\(index)].note", message: "must have at most 100 characters"))
            }
            guard errors.isEmpty else { throw Problem.validation(errors) }
            let stored = try await self.database.transaction(for: caller) { transaction in
                let unit = try await ReliefQuery.unit(body.countyId, caller: caller, permission: .reliefRules, in: transaction)
                guard unit.kind == "county" else {
                    throw Problem.validation([.init(field: "countyId", message: "the calendar is set by a county")])
                }
                for day in body.days.sorted(by: { $0.day < $1.day }) {
                    try await transaction.query("""
                        insert into relief_calendar_day (county_id, day, working, note, updated_by)
                        values (\(body.countyId), \(day.day), \(day.working), \(day.note), \(caller.accountID))
                        on conflict (county_id, day) do update
                            set working = excluded.working, note = excluded.note, updated_by = excluded.updated_by, updated_at = now()
                        """)
                }
                try await AuditEntry(caller: caller, context: context, action: "relief.calendar_set", resource: "relief_calendar",
                                     unitID: body.countyId, unitPath: unit.path, detail: ["days": String(body.days.count)]).append(in: transaction)
                return body.days.sorted { $0.day < $1.day }
            }
            return try JSONResponse(Items(items: stored))
        }
    }
}
