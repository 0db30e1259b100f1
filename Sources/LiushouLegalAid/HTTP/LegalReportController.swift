import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/legal-aid/overdue` (first contacts past their deadline) and `/v1/legal-aid/indicators`
/// (eligible left-behind children's cases aided ÷ eligible, cases by matter and stage, median days
/// from intake to assignment, for a unit and each unit below it).
public struct LegalReportController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [LegalCaseRow]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/legal-aid/overdue", .permission(.legalAidRead)) { request, context, caller in
            let unit = try LegalQuery.unit(request, required: false)
            let items = try await self.database.transaction(for: caller) { transaction in
                var clause: SQLQuery = "c.stage = 'assigned' and d.first_contact_at is null and d.first_contact_due < now()"
                if let unit {
                    let path = try await LegalQuery.path(of: unit, caller: caller, in: transaction)
                    clause.append(" and exists (select from liushou_unit_brief(c.unit_id) b where b.path::ltree <@ \(path)::ltree)")
                }
                let items = try await LegalCaseStore.rows(where: clause, orderBy: "d.first_contact_due, c.id", in: transaction)
                try await AuditEntry(caller: caller, context: context, action: "legal_case.list", resource: "legal_case",
                                     unitID: caller.grants.first?.unitID, unitPath: caller.grants.first?.unitPath, detail: ["list": "overdue", "cases": String(items.count)]).append(in: transaction)
                return items
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.get, "/v1/legal-aid/indicators", .permission(.legalAidRead)) { request, _, caller in
            guard let unit = try LegalQuery.unit(request, required: true) else { throw Problem.internalError }
            let from = try LegalQuery.date(request, "from") ?? LocalDate(daysSince1970: 0)
            let to = try LegalQuery.date(request, "to") ?? PersonValidator.chinaToday()
            guard from <= to else { throw Problem.badRequest("from is after to.", errors: [.init(field: "from", message: "must not be after to")]) }
            let indicators = try await self.database.transaction(for: caller) { transaction in
                _ = try await LegalQuery.path(of: unit, caller: caller, in: transaction)
                return try await LegalIndicators.compute(unit: unit, from: from, to: to, in: transaction)
            }
            return try JSONResponse(indicators)
        }
    }
}
