import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/units/{id}/visit-rules`: the rules in force at a unit, and overrides set there.
public struct VisitRuleController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct RuleBody: Decodable {
        var description: String
        var categories: [String]
        var riskLevels: [String]?
        var checkKinds: [CheckKind]
        var cadenceHours: Int
        var active: Bool?
    }

    struct RuleList: Encodable {
        var items: [VisitRule]
    }

    private static let columns: SQLQuery = """
        r.id, r.unit_id, r.rule_key, r.description, r.categories, r.risk_levels, r.check_kinds,
        (extract(epoch from r.cadence) / 3600)::int as hours, r.active, r.version
        """

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/units/:id/visit-rules", .permission(.visitsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let rules = try await self.database.transaction(for: caller) { transaction in
                let path = try await self.unitPath(id, caller: caller, permission: .visitsRead, settable: false, in: transaction)
                return try await transaction.query("""
                    select distinct on (r.rule_key) \(Self.columns)
                    from visit_rule r left join lateral liushou_unit_brief(r.unit_id) u on true
                    where r.unit_id is null or u.path::ltree @> \(path)::ltree
                    order by r.rule_key, coalesce(nlevel(u.path::ltree), 0) desc
                    """).map(Self.rule)
            }
            return try JSONResponse(RuleList(items: rules))
        }
        routes.on(.put, "/v1/units/:id/visit-rules/:key", .permission(.visitRulesManage)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let key = context.parameters.get("key") ?? ""
            let body = try await request.decodeJSON(as: RuleBody.self, context: context)
            try Self.validate(key: key, body)
            let ifMatch = request.headers[.ifMatch] == nil ? nil : try request.ifMatchVersion()
            return try await self.database.transaction(for: caller) { transaction in
                let path = try await self.unitPath(id, caller: caller, permission: .visitRulesManage, settable: true, in: transaction)
                let existing = try await transaction.query("select \(Self.columns) from visit_rule r where r.unit_id = \(id) and r.rule_key = \(key) for update")
                    .first.map(Self.rule)
                let cadence = "\(body.cadenceHours) hours"
                let kinds = body.checkKinds.map(\.rawValue)
                if let existing {
                    guard let ifMatch else {
                        throw Problem(status: .preconditionRequired, code: "if_match_required", title: "If-Match required",
                                      detail: "This unit already overrides \(key); send If-Match with its ETag.")
                    }
                    guard ifMatch == existing.version else {
                        throw Problem.versionMismatch("rule", current: existing.version)
                    }
                    try await transaction.query("""
                        update visit_rule set description = \(body.description), categories = \(body.categories), risk_levels = \(body.riskLevels),
                            check_kinds = \(kinds), cadence = \(cadence)::interval, active = \(body.active ?? true), version = version + 1, updated_at = now()
                        where id = \(existing.id)
                        """)
                } else {
                    try await transaction.query("""
                        insert into visit_rule (id, unit_id, rule_key, description, categories, risk_levels, check_kinds, cadence, active)
                        values (\(UUID()), \(id), \(key), \(body.description), \(body.categories), \(body.riskLevels), \(kinds),
                            \(cadence)::interval, \(body.active ?? true))
                        """)
                }
                let refreshed = try await transaction.query("select visit_obligations_refresh_under(\(id)) as n").first?.decode("n", as: Int.self) ?? 0
                guard let stored = try await transaction.query("select \(Self.columns) from visit_rule r where r.unit_id = \(id) and r.rule_key = \(key)")
                    .first.map(Self.rule) else { throw Problem.internalError }
                try await AuditEntry(caller: caller, context: context, action: "visit_rule.set", resource: "visit_rule",
                                     recordID: stored.id.uuidString.lowercased(), unitID: id, unitPath: path,
                                     detail: ["rule": key, "people": String(refreshed)]).append(in: transaction)
                return try JSONResponse(stored, status: existing == nil ? .created : .ok, headers: [.eTag: "\"\(stored.version)\""])
            }
        }
    }

    /// The unit's path if the caller holds `permission` there (404 otherwise); rules are set only on
    /// a county, town or village (`settable`), read anywhere.
    private func unitPath(
        _ id: UUID, caller: Caller, permission: Permission, settable: Bool, in transaction: PostgresTransaction
    ) async throws -> String {
        guard let row = try await transaction.query("select path::text as path, kind from org_unit where id = \(id)").first else {
            throw Problem.notFound("No such unit.")
        }
        let path = try row.decode("path", as: String.self)
        guard caller.holds(permission, at: path) else { throw Problem.notFound("No such unit.") }
        let kind = try row.decode("kind", as: String.self)
        guard !settable || ["county", "town", "village"].contains(kind) else {
            throw Problem.validation([.init(field: "id", message: "visit rules are set on a county, town or village")])
        }
        return path
    }

    private static func validate(key: String, _ body: RuleBody) throws {
        var errors: [Problem.FieldError] = []
        if key.range(of: "^[a-z0-9_]{2,40}$", options: .regularExpression) == nil {
            errors.append(.init(field: "key", message: "must be 2 to 40 lower-case letters, digits or _"))
        }
        if !(1...200).contains(body.description.trimmingCharacters(in: .whitespaces).count) {
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

    private static func rule(_ row: PostgresRow) throws -> VisitRule {
        VisitRule(
            id: try row.decode("id"), unitId: try row.decode("unit_id"), ruleKey: try row.decode("rule_key"),
            description: try row.decode("description"), categories: try row.decode("categories"), riskLevels: try row.decode("risk_levels"),
            checkKinds: try row.decode("check_kinds"), cadenceHours: try row.decode("hours"), active: try row.decode("active"),
            version: try row.decode("version")
        )
    }
}
