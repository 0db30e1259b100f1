import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/calendar`: a county's exceptions to Monday-to-Friday working days (public holidays,
/// weekend days worked in exchange), which decision deadlines count with.
struct ReliefCalendarController: Sendable {
    let database: TenantDatabase
    let store: ReliefCaseStore
    let clock: ChinaClock

    struct SetBody: Decodable {
        var countyId: UUID
        var days: [ReliefCalendarDay]
    }

    /// The exception days of a year (this year by default) in the county of `unitId`.
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReliefCalendarQuery.self, context: context)
        let year = query.year ?? Int(self.clock.today().description.prefix(4)) ?? 2000
        let items = try await self.database.transaction(for: caller) { transaction in
            let unit = try await self.store.unit(query.unitId, caller: caller, permission: .reliefRead, in: transaction)
            return try await self.store.calendar(countyOf: unit.path, year: year, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// Sets up to 400 days of a county's calendar at once; days not named keep what they were.
    @Sendable func set(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: SetBody.self, context: context)
        var errors: [Problem.FieldError] = []
        if !(1...400).contains(body.days.count) { errors.append(.init(field: "days", message: "name 1 to 400 days")) }
        if Set(body.days.map(\.day)).count != body.days.count { errors.append(.init(field: "days", message: "name each day once")) }
        for (index, day) in body.days.enumerated() where (day.note?.unicodeScalars.count ?? 0) > 100 {
            errors.append(.init(field: "days[\(index)].note", message: "must have at most 100 characters"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let stored = try await self.database.transaction(for: caller) { transaction in
            let unit = try await self.store.unit(body.countyId, caller: caller, permission: .reliefRules, in: transaction)
            guard unit.kind == "county" else {
                throw Problem.validation([.init(field: "countyId", message: "the calendar is set by a county")])
            }
            let days = body.days.sorted { $0.day < $1.day }
            try await self.store.setCalendar(county: body.countyId, days: days, caller: caller, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "relief.calendar_set",
                resource: "relief_calendar",
                unitID: body.countyId,
                unitPath: unit.path,
                detail: ["days": String(body.days.count)]
            ).append(in: transaction)
            return days
        }
        return try JSONResponse(Items(items: stored))
    }
}
