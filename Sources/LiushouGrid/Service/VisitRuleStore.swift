import Foundation
import LiushouPostgres

/// Visit rules: the platform's defaults and the overrides units set, under row-level security.
struct VisitRuleStore: Sendable {
    private static let columns: SQLQuery = """
        r.id, r.unit_id, r.rule_key, r.description, r.categories, r.risk_levels, r.check_kinds,
        (extract(epoch from r.cadence) / 3600)::int as hours, r.active, r.version
        """

    /// A unit's path and kind, `nil` when there is no such unit.
    func unit(_ id: UUID, in transaction: PostgresTransaction) async throws -> (path: String, kind: String)? {
        guard let row = try await transaction.query("select path::text as path, kind from org_unit where id = \(id)").first else { return nil }
        return (try row.decode("path", as: String.self), try row.decode("kind", as: String.self))
    }

    /// The rules in force at the unit at `path`: per key, the one set on the nearest unit above it (or the default).
    func rules(at path: String, in transaction: PostgresTransaction) async throws -> [VisitRule] {
        try await transaction.query(
            """
            select distinct on (r.rule_key) \(Self.columns)
            from visit_rule r left join lateral liushou_unit_brief(r.unit_id) u on true
            where r.unit_id is null or u.path::ltree @> \(path)::ltree
            order by r.rule_key, coalesce(nlevel(u.path::ltree), 0) desc
            """
        ).map(Self.rule)
    }

    /// The unit's own override of a rule, locked for a change.
    func lockOverride(unit: UUID, key: String, in transaction: PostgresTransaction) async throws -> VisitRule? {
        try await transaction.query("select \(Self.columns) from visit_rule r where r.unit_id = \(unit) and r.rule_key = \(key) for update")
            .first.map(Self.rule)
    }

    /// The unit's own override of a rule.
    func override(unit: UUID, key: String, in transaction: PostgresTransaction) async throws -> VisitRule? {
        try await transaction.query("select \(Self.columns) from visit_rule r where r.unit_id = \(unit) and r.rule_key = \(key)")
            .first.map(Self.rule)
    }

    func update(_ id: UUID, to body: VisitRuleInput, in transaction: PostgresTransaction) async throws {
        let cadence = "\(body.cadenceHours) hours"
        let kinds = body.checkKinds.map(\.rawValue)
        try await transaction.query(
            """
            update visit_rule set description = \(body.description), categories = \(body.categories), risk_levels = \(body.riskLevels),
                check_kinds = \(kinds), cadence = \(cadence)::interval, active = \(body.active ?? true), version = version + 1, updated_at = now()
            where id = \(id)
            """
        )
    }

    func insert(unit: UUID, key: String, _ body: VisitRuleInput, in transaction: PostgresTransaction) async throws {
        let cadence = "\(body.cadenceHours) hours"
        let kinds = body.checkKinds.map(\.rawValue)
        try await transaction.query(
            """
            insert into visit_rule (id, unit_id, rule_key, description, categories, risk_levels, check_kinds, cadence, active)
            values (\(UUID()), \(unit), \(key), \(body.description), \(body.categories), \(body.riskLevels), \(kinds),
                \(cadence)::interval, \(body.active ?? true))
            """
        )
    }

    /// Recomputes the obligations of the people under the unit; the number of people.
    func refreshObligations(under unit: UUID, in transaction: PostgresTransaction) async throws -> Int {
        try await transaction.query("select visit_obligations_refresh_under(\(unit)) as n").first?.decode("n", as: Int.self) ?? 0
    }

    private static func rule(_ row: PostgresRow) throws -> VisitRule {
        VisitRule(
            id: try row.decode("id"),
            unitId: try row.decode("unit_id"),
            ruleKey: try row.decode("rule_key"),
            description: try row.decode("description"),
            categories: try row.decode("categories"),
            riskLevels: try row.decode("risk_levels"),
            checkKinds: try row.decode("check_kinds"),
            cadenceHours: try row.decode("hours"),
            active: try row.decode("active"),
            version: try row.decode("version")
        )
    }
}
