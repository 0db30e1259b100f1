import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/school-rates`: 入学率, 巩固率 and 入园率 on a day, for a unit and its direct child units
/// (towns, villages, grids and the schools under a town), for the dashboard.
struct SchoolRatesController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    struct RatesQuery: Decodable {
        var unitId: UUID
        /// The day (default today, China time).
        var on: LocalDate?

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: NamedKey.self)
            self.unitId = try values.required("unitId", UUID.init(canonical:), message: "must be a unit's UUID")
            self.on = try values.parameter("on", LocalDate.init(input:), message: "must be a date like 2026-06-15, years 1900 to 2100")
        }
    }

    @Sendable func rates(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: RatesQuery.self, context: context)
        let today = self.clock.today()
        if let on = query.on, on > today { throw Problem.validation([.init(field: "on", message: "is in the future")]) }
        let on = query.on ?? today
        let rates = try await self.database.transaction(for: caller) { transaction in
            try await SchoolRatesStore.rates(query.unitId, on: on, in: transaction)
        }
        guard let rates else { throw Problem.noSuchUnit }
        return try JSONResponse(SchoolRates(unitId: query.unitId, on: on, schoolYearStart: rates.schoolYearStart, items: rates.items))
    }
}
