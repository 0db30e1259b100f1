import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Visit obligations (kept by the database from rules and checks), read under the caller's
/// row-level security.
struct ObligationStore: Sendable {
    struct Obligation: Encodable {
        var ruleKey: String
        var description: String
        var checkKinds: [String]
        var cadenceHours: Int
        var lastCheckAt: Date?
        var nextDueAt: Date
        var overdue: Bool
    }

    struct Overdue: Encodable {
        var personId: UUID
        var personName: String
        var unitId: UUID
        var ruleKey: String
        var description: String
        var nextDueAt: Date
        var lastCheckAt: Date?
        var hoursLate: Int
        /// Display names of the grid workers or village cadres who answer for the visit.
        var responsible: String?
    }

    /// One obligation on the caller's list for today (the field app's 今日任务).
    struct Task: Encodable {
        var personId: UUID
        var personName: String
        var sex: String
        /// The birth year only: with the masked ID number a full birth date would give the number away.
        var birthYear: Int
        var categories: [String]
        var riskLevel: String
        var householdId: UUID?
        var householdCode: String?
        var address: String?
        var unitId: UUID
        var unitName: String
        var villageName: String
        var ruleKey: String
        var description: String
        var checkKinds: [String]
        var lastCheckAt: Date?
        var nextDueAt: Date
        var overdue: Bool
    }

    /// A person's obligations, nearest due first.
    func obligations(of person: UUID, in transaction: PostgresTransaction) async throws -> [Obligation] {
        guard try await transaction.query("select 1 from person where id = \(person)").first != nil else {
            throw ServiceError.noSuchPerson
        }
        return try await transaction.query(
            """
            select o.rule_key, visit_rule_description(o.rule_id) as description, o.check_kinds,
                (extract(epoch from o.cadence) / 3600)::int as hours, o.last_check_at, o.next_due_at, o.next_due_at < now() as overdue
            from visit_obligation o
            where o.person_id = \(person) order by o.next_due_at, o.rule_key
            """
        ).map { row in
            Obligation(
                ruleKey: try row.decode("rule_key"),
                description: try row.decode("description"),
                checkKinds: try row.decode("check_kinds"),
                cadenceHours: try row.decode("hours"),
                lastCheckAt: try row.decode("last_check_at"),
                nextDueAt: try row.decode("next_due_at"),
                overdue: try row.decode("overdue")
            )
        }
    }

    /// A unit the caller sees and the units under it.
    struct UnitScope {
        var path: String
        /// The unit's id and those of every unit under it.
        var units: [UUID]
    }

    /// A unit's path and the ids of the units under it, `nil` when there is no such unit. The lists
    /// filter obligations by these ids as constants: a subquery on `org_unit` under its policy is
    /// estimated at one unit, which sent a county's list through every unit instead of the due index.
    func unitScope(_ unit: UUID, in transaction: PostgresTransaction) async throws -> UnitScope? {
        guard
            let row = try await transaction.query(
                """
                select u.path::text as path, array(select d.id from org_unit d where d.path <@ u.path) as units
                from org_unit u where u.id = \(unit)
                """
            ).first
        else { return nil }
        return UnitScope(path: try row.decode("path"), units: try row.decode("units", as: [UUID].self))
    }

    /// Obligations the caller can satisfy that fall due by `dueBefore` (overdue ones included),
    /// nearest first, under row-level security (the caller's own area, or their paired people).
    func tasks(
        for caller: Caller,
        kinds: [String],
        units: [UUID]?,
        dueBefore: Date,
        limit: Int,
        in transaction: PostgresTransaction
    ) async throws -> [Task] {
        try await transaction.query(
            """
            with due as materialized (
                select o.person_id, o.rule_id, o.rule_key, o.check_kinds, o.last_check_at, o.next_due_at
                from visit_obligation o
                where o.next_due_at < \(dueBefore) and o.check_kinds && \(kinds)
                  and (\(units)::uuid[] is null or o.unit_id = any (\(units)::uuid[]))
                order by o.next_due_at, o.person_id, o.rule_key
                limit \(limit))
            select d.person_id, p.name, p.sex, extract(year from p.birth_date)::int as birth_year, p.categories, p.risk_level, p.household_id,
                h.code as household_code, h.address, p.unit_id, u.name as unit_name, v.name as village_name, d.rule_key,
                visit_rule_description(d.rule_id) as description, d.check_kinds, d.last_check_at, d.next_due_at, d.next_due_at < now() as overdue
            from due d join person p on p.id = d.person_id
                left join household h on h.id = p.household_id
                cross join lateral (select b.name from liushou_unit_brief(p.unit_id) b) u
                cross join lateral (select b.name from liushou_unit_brief(p.village_id) b) v
            where p.status = 'active'
            order by d.next_due_at, d.person_id, d.rule_key
            """
        ).map { row in
            Task(
                personId: try row.decode("person_id"),
                personName: try row.decode("name"),
                sex: try row.decode("sex"),
                birthYear: try row.decode("birth_year"),
                categories: try row.decode("categories"),
                riskLevel: try row.decode("risk_level"),
                householdId: try row.decode("household_id"),
                householdCode: try row.decode("household_code"),
                address: try row.decode("address"),
                unitId: try row.decode("unit_id"),
                unitName: try row.decode("unit_name"),
                villageName: try row.decode("village_name"),
                ruleKey: try row.decode("rule_key"),
                description: try row.decode("description"),
                checkKinds: try row.decode("check_kinds"),
                lastCheckAt: try row.decode("last_check_at"),
                nextDueAt: try row.decode("next_due_at"),
                overdue: try row.decode("overdue")
            )
        }
    }

    /// Overdue obligations under a unit, latest first: the ordered index over `next_due_at` is walked
    /// up to the limit first (materialised), and only those rows are joined to people and rules. The
    /// units are named by id (`unitScope`): a village's few are read through
    /// `visit_obligation_unit_due`; there is no index on the path (0047).
    func overdue(under units: [UUID], limit: Int, in transaction: PostgresTransaction) async throws -> [Overdue] {
        try await transaction.query(
            """
            with due as materialized (
                select o.person_id, o.unit_id, o.rule_key, o.rule_id, o.next_due_at, o.last_check_at, o.check_kinds
                from visit_obligation o
                where o.next_due_at < now() and o.unit_id = any (\(units)::uuid[])
                order by o.next_due_at, o.person_id, o.rule_key
                limit \(limit))
            select o.person_id, p.name, o.unit_id, o.rule_key, visit_rule_description(o.rule_id) as description, o.next_due_at, o.last_check_at,
                (extract(epoch from now() - o.next_due_at) / 3600)::int as hours_late,
                (select string_agg(a.display_name, '、' order by a.display_name) from role_grant g join account a on a.id = g.account_id
                 where g.revoked_at is null and a.disabled_at is null and a.kind = 'user' and g.unit_id in (p.unit_id, p.village_id)
                   and g.role = any (case when 'grid_knock' = any (o.check_kinds) then array['grid_worker', 'village_cadre']
                                          else array['village_cadre'] end)) as responsible
            from due o join person p on p.id = o.person_id
            order by o.next_due_at, o.person_id, o.rule_key
            """
        ).map { row in
            Overdue(
                personId: try row.decode("person_id"),
                personName: try row.decode("name"),
                unitId: try row.decode("unit_id"),
                ruleKey: try row.decode("rule_key"),
                description: try row.decode("description"),
                nextDueAt: try row.decode("next_due_at"),
                lastCheckAt: try row.decode("last_check_at"),
                hoursLate: try row.decode("hours_late"),
                responsible: try row.decode("responsible")
            )
        }
    }
}
