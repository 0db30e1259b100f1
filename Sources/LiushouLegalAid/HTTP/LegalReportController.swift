import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-aid/overdue` (first contacts past their deadline) and `/v1/legal-aid/indicators`
/// (eligible left-behind children's cases aided ÷ eligible, cases by matter and stage, median days
/// from intake to assignment, for a unit and each unit below it).
struct LegalReportController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// The listing is audited like the office's case list.
    @Sendable func overdue(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: LegalOverdueQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            let items = try await LegalCaseStore.overdue(unit: query.unitId, caller: caller, in: transaction)
            try await AuditEntry.legalCaseListing(caller: caller, context: context, detail: ["list": "overdue", "cases": String(items.count)])
                .append(in: transaction)
            return items
        }
        return try JSONResponse(Items(items: items))
    }

    /// Cases opened from `from` (all time by default) to `to` (today in China by default).
    @Sendable func indicators(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: LegalIndicatorQuery.self, context: context)
        let from = query.from ?? LocalDate(daysSince1970: 0)
        let to = query.to ?? self.clock.today()
        guard from <= to else { throw Problem.badRequest("from is after to.", errors: [.init(field: "from", message: "must not be after to")]) }
        let indicators = try await self.database.transaction(for: caller) { transaction in
            _ = try await LegalCaseStore.unitPath(of: query.unitId, caller: caller, in: transaction)
            return try await LegalIndicators.compute(unit: query.unitId, from: from, to: to, in: transaction)
        }
        return try JSONResponse(indicators)
    }
}
