import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/units/{id}/visit-rules`: the rules in force at a unit, and overrides set there.
struct VisitRuleController: Sendable {
    let database: TenantDatabase
    let store: VisitRuleStore

    struct RuleList: Encodable {
        var items: [VisitRule]
    }

    /// The rules in force at a unit: for each key, the one set nearest to it.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let rules = try await self.database.transaction(for: caller) { transaction in
            let path = try await self.unitPath(id, caller: caller, permission: .visitsRead, settable: false, in: transaction)
            return try await self.store.rules(at: path, in: transaction)
        }
        return try JSONResponse(RuleList(items: rules))
    }

    /// Sets the unit's override of a rule (201 new, 200 changed; changing one needs `If-Match`), and
    /// recomputes the obligations of the people under the unit.
    @Sendable func set(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let key = context.parameters.get("key") ?? ""
        var body = try await request.decodeJSON(as: VisitRuleInput.self, context: context)
        // Stored as counted: the table's check counts the text without its ends.
        body.description = body.description.trimmingWhitespace()
        try Self.validate(key: key, body)
        let ifMatch = try request.ifMatchVersionIfSent()
        // Bulk: the change rebuilds the visit obligations of everyone under the unit (a county's
        // hundreds of thousands of people). Run again after a deadlock: every step reads afresh.
        // Two first overrides at once: the second runs again and meets the first's (428 or 412).
        return try await DuplicateRetry.once(primaryKey: "visit_rule_pkey", record: "rule", alsoRetrying: ["visit_rule_key"]) {
            try await self.database.transaction(for: caller, kind: .bulk, maxAttempts: 3) { transaction in
                let path = try await self.unitPath(id, caller: caller, permission: .visitRulesManage, settable: true, in: transaction)
                let existing = try await self.store.lockOverride(unit: id, key: key, in: transaction)
                if let existing, ifMatch == nil, existing.matches(body) {
                    // A retry of a first override that was stored: answered with it, nothing recomputed.
                    return try JSONResponse(existing, status: .ok, headers: [.eTag: "\"\(existing.version)\""])
                }
                if let existing {
                    guard let ifMatch else {
                        throw Problem(
                            status: .preconditionRequired,
                            code: "if_match_required",
                            title: "If-Match required",
                            detail: "This unit already overrides \(key); send If-Match with its ETag."
                        )
                    }
                    guard ifMatch == existing.version else {
                        throw Problem.versionMismatch("rule", current: existing.version)
                    }
                    try await self.store.update(existing.id, to: body, in: transaction)
                } else {
                    try await self.store.insert(unit: id, key: key, body, in: transaction)
                }
                let refreshed = try await self.store.refreshObligations(under: id, in: transaction)
                guard let stored = try await self.store.override(unit: id, key: key, in: transaction) else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "visit_rule.set",
                    resource: "visit_rule",
                    recordID: stored.id.uuidString.lowercased(),
                    unitID: id,
                    unitPath: path,
                    detail: ["rule": key, "people": String(refreshed)]
                ).append(in: transaction)
                return try JSONResponse(stored, status: existing == nil ? .created : .ok, headers: [.eTag: "\"\(stored.version)\""])
            }
        }
    }

    /// The unit's path if the caller holds `permission` there (404 otherwise); rules are set only on
    /// a county, town or village (`settable`), read anywhere.
    private func unitPath(
        _ id: UUID,
        caller: Caller,
        permission: Permission,
        settable: Bool,
        in transaction: PostgresTransaction
    ) async throws -> String {
        guard let unit = try await self.store.unit(id, in: transaction) else { throw Problem.noSuchUnit }
        guard caller.holds(permission, at: unit.path) else { throw Problem.noSuchUnit }
        guard !settable || ["county", "town", "village"].contains(unit.kind) else {
            throw Problem.validation([.init(field: "id", message: "visit rules are set on a county, town or village")])
        }
        return unit.path
    }

    private static func validate(key: String, _ body: VisitRuleInput) throws {
        var errors: [Problem.FieldError] = []
        if key.range(of: #"\A[a-z0-9_]{2,40}\z"#, options: .regularExpression) == nil {
            errors.append(.init(field: "key", message: "must be 2 to 40 lower-case letters, digits or _"))
        }
        if !(1...200).contains(body.description.unicodeScalars.count) {
            errors.append(.init(field: "description", message: "must have 1 to 200 characters"))
        }
        let categories: Set = ["left_behind_child", "child_in_difficulty", "left_behind_woman", "left_behind_elder"]
        if body.categories.isEmpty || !Set(body.categories).isSubset(of: categories) {
            errors.append(.init(field: "categories", message: "must be some of " + categories.sorted().joined(separator: ", ")))
        }
        if let levels = body.riskLevels, levels.isEmpty || !Set(levels).isSubset(of: ["normal", "attention", "high"]) {
            errors.append(.init(field: "riskLevels", message: "must be some of normal, attention, high (or absent for any)"))
        }
        if body.checkKinds.isEmpty { errors.append(.init(field: "checkKinds", message: "name at least one kind of check")) }
        if !(1...(366 * 24)).contains(body.cadenceHours) { errors.append(.init(field: "cadenceHours", message: "must be 1 to 8784")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
    }
}
