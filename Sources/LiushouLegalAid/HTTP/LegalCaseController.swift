import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/legal-cases`: open legal-aid cases (法律援助), list and read them (every read audited).
public struct LegalCaseController: Sendable {
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
        routes.on(.post, "/v1/legal-cases", .permission(.legalAidManage)) { request, context, caller in
            let input = try await request.decodeJSON(as: LegalCaseInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (record, created): (LegalCase, Bool)
            do {
                (record, created) = try await self.database.transaction(for: caller) { transaction in
                    if let stored = try await LegalCaseStore.find(input.id, today: today, in: transaction) {
                        guard stored.hash == ContentHash.of(input) else { throw Problem.idConflict("legal-aid case") }
                        // A retry answers the stored details: a read, audited as one.
                        try await AuditEntry(caller: caller, context: context, action: "legal_case.read", resource: "legal_case",
                                             recordID: input.id.uuidString.lowercased(), unitID: stored.record.unitId).append(in: transaction)
                        return (stored.record, false)
                    }
                    let checked = try await LegalIntake.check(input, caller: caller, in: transaction)
                    try await LegalIntake.insert(input, checked: checked, caller: caller, in: transaction)
                    guard let saved = try await LegalCaseStore.find(input.id, today: today, in: transaction)?.record else { throw Problem.internalError }
                    try await AuditEntry(caller: caller, context: context, action: "legal_case.open", resource: "legal_case",
                                         recordID: input.id.uuidString.lowercased(), unitID: saved.unitId).append(in: transaction)
                    return (saved, true)
                }
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "legal_case_pkey" {
                // A concurrent retry stored it first (answered as a retry), or the id is taken by a case you cannot read.
                record = try await self.database.transaction(for: caller) { transaction in
                    guard let stored = try await LegalCaseStore.find(input.id, today: today, in: transaction), stored.hash == ContentHash.of(input) else {
                        throw Problem.idConflict("legal-aid case")
                    }
                    try await AuditEntry(caller: caller, context: context, action: "legal_case.read", resource: "legal_case",
                                         recordID: input.id.uuidString.lowercased(), unitID: stored.record.unitId).append(in: transaction)
                    return stored.record
                }
                created = false
            }
            return try JSONResponse(record, status: created ? .created : .ok, headers: [.eTag: "\"\(record.version)\""])
        }
        routes.on(.get, "/v1/legal-cases", .permission(.legalAidRead)) { request, context, caller in
            let query = request.uri.queryParameters
            var clauses: [SQLQuery] = ["true"]
            if let stage = query["stage"] {
                guard let stage = LegalStage(rawValue: String(stage)) else {
                    throw Problem.badRequest("stage is invalid.", errors: [.init(field: "stage", message: "must be a stage of the workflow")])
                }
                clauses.append("c.stage = \(stage.rawValue)")
            }
            if let person = query["personId"] {
                guard let id = UUID(uuidString: String(person)) else {
                    throw Problem.badRequest("personId is invalid.", errors: [.init(field: "personId", message: "must be a UUID")])
                }
                clauses.append("c.person_id = \(id)")
            }
            let unit = try LegalQuery.unit(request, required: false)
            let items = try await self.database.transaction(for: caller) { transaction in
                if let unit {
                    let path = try await LegalQuery.path(of: unit, caller: caller, in: transaction)
                    clauses.append("exists (select from liushou_unit_brief(c.unit_id) b where b.path::ltree <@ \(path)::ltree)")
                }
                let items = try await LegalCaseStore.rows(where: SQLQuery.joined(clauses, separator: " and "), in: transaction)
                try await AuditEntry(caller: caller, context: context, action: "legal_case.list", resource: "legal_case",
                                     unitID: caller.grants.first?.unitID, unitPath: caller.grants.first?.unitPath, detail: ["cases": String(items.count)]).append(in: transaction)
                return items
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.get, "/v1/legal-cases/:id", .permission(.legalAidRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let today = PersonValidator.chinaToday()
            let record = try await self.database.transaction(for: caller) { transaction in
                guard let found = try await LegalCaseStore.find(id, today: today, in: transaction)?.record else {
                    throw Problem.notFound("No such legal-aid case.")
                }
                try await AuditEntry(caller: caller, context: context, action: "legal_case.read", resource: "legal_case",
                                     recordID: id.uuidString.lowercased(), unitID: found.unitId).append(in: transaction)
                return found
            }
            return try JSONResponse(record, headers: [.eTag: "\"\(record.version)\""])
        }
    }
}
