import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Service hours per volunteer and per organisation by month, a volunteer's own record, and the
/// pairing rate (结对帮扶率) per unit.
struct ServiceHoursController: Sendable {
    let database: TenantDatabase
    let store: VolunteerStore
    let clock: ChinaClock

    /// The reports' query, as sent: `year` (this year in China when absent) and, for unit reports, `unitId`.
    struct ReportQuery: Decodable {
        var year: String?
        var unitId: String?
    }

    struct UnitHours: Encodable {
        var unitId: UUID
        var year: Int
        var items: [ServiceMonth]
    }

    struct OwnRecord: Encodable {
        var volunteer: Volunteer
        var hours: VolunteerHours
        var pairings: [Pairing]
    }

    struct Rates: Encodable {
        var unitId: UUID
        var target: Double
        var items: [PairingRate]
    }

    @Sendable func volunteerHours(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let year = try self.year(try request.uri.decodeQuery(as: ReportQuery.self, context: context))
        let hours = try await self.database.transaction(for: caller) { transaction in
            guard try await self.store.find(id, in: transaction) != nil else { throw Problem.notFound("No such volunteer.") }
            return try await ServiceHoursStore.hours(of: id, year: year, in: transaction)
        }
        return try JSONResponse(hours)
    }

    /// Hours served to people of a unit the caller reads, by month and the volunteers' organisation.
    @Sendable func unitHours(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReportQuery.self, context: context)
        let year = try self.year(query)
        let unit = try VolunteerQuery.unit(query.unitId)
        let items = try await self.database.transaction(for: caller) { transaction in
            guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.volunteersRead, at: brief.path) else {
                throw Problem.noSuchUnit
            }
            return try await ServiceHoursStore.months(under: brief.path, year: year, in: transaction)
        }
        return try JSONResponse(UnitHours(unitId: unit, year: year, items: items))
    }

    /// The calling volunteer's register entry, hours and pairings.
    @Sendable func ownRecord(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let year = try self.year(try request.uri.decodeQuery(as: ReportQuery.self, context: context))
        let record = try await self.database.transaction(for: caller) { transaction in
            guard let volunteer = try await self.store.find(account: caller.accountID, in: transaction) else {
                throw Problem.notFound("Your login is not linked to a volunteer of the register.")
            }
            let hours = try await ServiceHoursStore.hours(of: volunteer.id, year: year, in: transaction)
            let pairings = try await PairingStore.list(helpedBy: volunteer.id, in: transaction)
            // Masked as every other answer naming a volunteer: the field app keeps this one on the phone.
            return OwnRecord(volunteer: volunteer.masked(), hours: hours, pairings: pairings)
        }
        return try JSONResponse(record)
    }

    @Sendable func pairingRate(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let unit = try VolunteerQuery.unit(try request.uri.decodeQuery(as: ReportQuery.self, context: context).unitId)
        let items = try await self.database.transaction(for: caller) { transaction in
            guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.volunteersRead, at: brief.path) else {
                throw Problem.noSuchUnit
            }
            return try await ServiceHoursStore.rates(of: unit, in: transaction)
        }
        return try JSONResponse(Rates(unitId: unit, target: 1.0, items: items))
    }

    private func year(_ query: ReportQuery) throws -> Int {
        guard let text = query.year else { return self.clock.today().year }
        guard let year = Int(text), (2000...2100).contains(year) else {
            throw Problem.badRequest("year is invalid.", errors: [.init(field: "year", message: "must be a year like 2026")])
        }
        return year
    }
}
