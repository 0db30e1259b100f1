import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/legal-cases/:id/{decision,review,assignment,first-contact,close}`: the workflow's
/// transitions, each with If-Match (`LegalWorkflow` says which stage each leads to).
public struct LegalTransitionController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        for action in LegalAction.allCases {
            routes.on(.post, "/v1/legal-cases/:id/\(action.path)", .permission(.legalAidManage)) { request, context, caller in
                let id = try context.uuidParameter("id")
                let version = try request.ifMatchVersion()
                let input = try await request.decodeJSON(as: LegalTransitionInput.self, context: context)
                let today = PersonValidator.chinaToday()
                let errors = LegalRules.problems(input, for: action, today: today, now: Date())
                if !errors.isEmpty { throw Problem.validation(errors) }
                let transitioner = LegalTransitioner(action: action, input: input, caller: caller, today: today)
                let record = try await self.database.transaction(for: caller) { transaction in
                    let (brief, target) = try await transitioner.apply(to: id, version: version, in: transaction)
                    guard let saved = try await LegalCaseStore.find(id, today: today, in: transaction)?.record else { throw Problem.internalError }
                    try await AuditEntry(caller: caller, context: context, action: action.auditAction, resource: "legal_case",
                                         recordID: id.uuidString.lowercased(), unitID: brief.unitId,
                                         detail: ["from": brief.stage.rawValue, "to": target.rawValue]).append(in: transaction)
                    return saved
                }
                return try JSONResponse(record, headers: [.eTag: "\"\(record.version)\""])
            }
        }
    }
}
