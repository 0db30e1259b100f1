import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Service hours per volunteer and per organisation by month, a volunteer's own record, and the
/// pairing rate (结对帮扶率) per unit.
public struct ServiceHoursController: Sendable {
    let database: TenantDatabase
    let store: VolunteerStore

    /// A controller.
    public init(database: TenantDatabase, vault: IdentifierVault) {
        self.database = database
        self.store = VolunteerStore(vault: vault)
    }

    struct Month: Encodable {
        var month: String
        var organisation: String?
        var visits: Int
        var minutes: Int
        var hours: String
        var volunteers: Int?
    }

    struct VolunteerHours: Encodable {
        var volunteerId: UUID
        var year: Int
        var totalMinutes: Int
        var months: [Month]
    }

    struct UnitHours: Encodable {
        var unitId: UUID
        var year: Int
        var items: [Month]
    }

    struct OwnRecord: Encodable {
        var volunteer: Volunteer
        var hours: VolunteerHours
        var pairings: [Pairing]
    }

    struct Rate: Encodable {
        var unitId: UUID
        var unitName: String
        var paired: Int
        var people: Int
        /// paired ÷ people, rounded to 4 places (null when there are no people).
        var rate: Double?
    }

    struct Rates: Encodable {
        var unitId: UUID
        var target: Double
        var items: [Rate]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/volunteers/:id/hours", .permission(.volunteersRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let year = try Self.year(request)
            let hours = try await self.database.transaction(for: caller) { transaction in
                guard try await self.store.find(id, in: transaction) != nil else { throw Problem.notFound("No such volunteer.") }
                return try await Self.hours(of: id, year: year, in: transaction)
            }
            return try JSONResponse(hours)
        }
        routes.on(.get, "/v1/volunteer-hours", .permission(.volunteersRead)) { request, _, caller in
            let year = try Self.year(request)
            guard let unit = request.uri.queryParameters["unitId"].flatMap({ UUID(uuidString: String($0)) }) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.volunteersRead, at: brief.path) else {
                    throw Problem.notFound("No such unit.")
                }
                // Hours served to people of the unit, by the volunteers' organisation.
                return try await transaction.query("""
                    select to_char(vv.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, v.organisation,
                        count(*)::int as visits, sum(vv.duration_minutes)::int as minutes, count(distinct vv.volunteer_id)::int as volunteers
                    from volunteer_visit vv join volunteer v on v.id = vv.volunteer_id join door_check c on c.id = vv.check_id
                    where extract(year from vv.occurred_at at time zone 'Asia/Shanghai') = \(year)
                      and exists (select from liushou_unit_brief(c.unit_id) b where b.path::ltree <@ \(brief.path)::ltree)
                    group by 1, 2 order by 1, 2
                    """).map(Self.month)
            }
            return try JSONResponse(UnitHours(unitId: unit, year: year, items: items))
        }
        routes.on(.get, "/v1/me/volunteer", .permission(.volunteerVisitsRecord)) { request, _, caller in
            let year = try Self.year(request)
            let record = try await self.database.transaction(for: caller) { transaction in
                guard let volunteer = try await self.store.find(account: caller.accountID, in: transaction) else {
                    throw Problem.notFound("Your login is not linked to a volunteer of the register.")
                }
                let hours = try await Self.hours(of: volunteer.id, year: year, in: transaction)
                let pairings = try await PairingStore.list(
                    where: "exists (select from pairing_helper h where h.pairing_id = g.id and h.volunteer_id = \(volunteer.id))", in: transaction)
                return OwnRecord(volunteer: volunteer, hours: hours, pairings: pairings)
            }
            return try JSONResponse(record)
        }
        routes.on(.get, "/v1/pairing-rate", .permission(.volunteersRead)) { request, _, caller in
            guard let unit = request.uri.queryParameters["unitId"].flatMap({ UUID(uuidString: String($0)) }) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.volunteersRead, at: brief.path) else {
                    throw Problem.notFound("No such unit.")
                }
                return try await transaction.query("select unit_id, unit_name, paired::int, people::int from pairing_rate(\(unit))").map { row in
                    let paired = try row.decode("paired", as: Int.self)
                    let people = try row.decode("people", as: Int.self)
                    return Rate(unitId: try row.decode("unit_id"), unitName: try row.decode("unit_name"), paired: paired, people: people,
                                rate: people == 0 ? nil : (Double(paired) / Double(people) * 10_000).rounded() / 10_000)
                }
            }
            return try JSONResponse(Rates(unitId: unit, target: 1.0, items: items))
        }
    }

    static func hours(of volunteer: UUID, year: Int, in transaction: PostgresTransaction) async throws -> VolunteerHours {
        let months = try await transaction.query("""
            select to_char(vv.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, null::text as organisation,
                count(*)::int as visits, sum(vv.duration_minutes)::int as minutes, null::int as volunteers
            from volunteer_visit vv
            where vv.volunteer_id = \(volunteer) and extract(year from vv.occurred_at at time zone 'Asia/Shanghai') = \(year)
            group by 1 order by 1
            """).map(Self.month)
        return VolunteerHours(volunteerId: volunteer, year: year, totalMinutes: months.reduce(0) { $0 + $1.minutes }, months: months)
    }

    static func month(_ row: PostgresRow) throws -> Month {
        let minutes = try row.decode("minutes", as: Int.self)
        return Month(month: try row.decode("month"), organisation: try row.decode("organisation"), visits: try row.decode("visits"),
                     minutes: minutes, hours: String(format: "%d.%02d", minutes / 60, (minutes % 60) * 100 / 60),
                     volunteers: try row.decode("volunteers"))
    }

    static func year(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["year"] else { return PersonValidator.chinaToday().year }
        guard let year = Int(String(text)), (2000...2100).contains(year) else {
            throw Problem.badRequest("year is invalid.", errors: [.init(field: "year", message: "must be a year like 2026")])
        }
        return year
    }
}
