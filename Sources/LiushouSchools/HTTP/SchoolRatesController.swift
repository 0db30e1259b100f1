import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/school-rates`: 入学率, 巩固率 and 入园率 on a day, for a unit and its direct child units
/// (towns, villages, grids and the schools under a town), for the dashboard.
public struct SchoolRatesController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/school-rates", .permission(.schoolsRead)) { request, _, caller in
            let query = request.uri.queryParameters
            guard let unit = query["unitId"].flatMap({ UUID(uuidString: String($0)) }) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
            }
            let today = PersonValidator.chinaToday()
            var on = today
            if let value = query["on"] {
                guard let date = LocalDate(input: String(value)) else {
                    throw Problem.badRequest("on is invalid.", errors: [.init(field: "on", message: "must be a date like 2026-06-15, years 1900 to 2100")])
                }
                guard date <= today else { throw Problem.validation([.init(field: "on", message: "is in the future")]) }
                on = date
            }
            let rows = try await self.database.transaction(for: caller) { transaction in
                try await transaction.query("""
                    select unit_id, unit_name, unit_kind, compulsory::int, compulsory_enrolled::int, cohort::int, retained::int, preschool::int,
                        preschool_enrolled::int, year_start
                    from school_rates(\(unit), \(on))
                    """)
            }
            guard let first = rows.first else { throw Problem.notFound("No such unit.") }
            // A clinic (or any unit that is not an area or a school) has no children of school age of its own.
            guard ["county", "town", "village", "grid", "school"].contains(try first.decode("unit_kind", as: String.self)) else {
                throw Problem.validation([.init(field: "unitId", message: "must be a county, town, village, grid or school")])
            }
            let items = try rows.map { row in
                SchoolRatesLine(
                    unitId: try row.decode("unit_id"), unitName: try row.decode("unit_name"), unitKind: try row.decode("unit_kind"),
                    enrolment: SchoolRate(try row.decode("compulsory_enrolled"), try row.decode("compulsory")),
                    retention: SchoolRate(try row.decode("retained"), try row.decode("cohort")),
                    kindergarten: SchoolRate(try row.decode("preschool_enrolled"), try row.decode("preschool"))
                )
            }
            return try JSONResponse(SchoolRates(unitId: unit, on: on, schoolYearStart: try first.decode("year_start"), items: items))
        }
    }
}
