import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// A person's visit obligations and a unit's overdue list.
public struct ObligationController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

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

    struct Items<Item: Encodable>: Encodable {
        var items: [Item]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/persons/:id/obligations", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let items = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else {
                    throw Problem.notFound("No such person.")
                }
                return try await transaction.query("""
                    select o.rule_key, r.description, o.check_kinds, (extract(epoch from o.cadence) / 3600)::int as hours, o.last_check_at,
                        o.next_due_at, o.next_due_at < now() as overdue
                    from visit_obligation o join visit_rule r on r.id = o.rule_id
                    where o.person_id = \(id) order by o.next_due_at, o.rule_key
                    """).map { row in
                    Obligation(
                        ruleKey: try row.decode("rule_key"), description: try row.decode("description"), checkKinds: try row.decode("check_kinds"),
                        cadenceHours: try row.decode("hours"), lastCheckAt: try row.decode("last_check_at"), nextDueAt: try row.decode("next_due_at"),
                        overdue: try row.decode("overdue")
                    )
                }
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.get, "/v1/overdue", .permission(.visitsRead)) { request, _, caller in
            let parameters = request.uri.queryParameters
            guard let text = parameters["unitId"], let unitID = UUID(uuidString: String(text)) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a UUID")])
            }
            let limit = try parameters["limit"].map { text -> Int in
                guard let value = Int(text), (1...1000).contains(value) else {
                    throw Problem.badRequest("limit is invalid.", errors: [.init(field: "limit", message: "must be 1 to 1000")])
                }
                return value
            } ?? 200
            let items = try await self.database.transaction(for: caller) { transaction in
                guard let path = try await transaction.query("select path::text as path from org_unit where id = \(unitID)").first?
                    .decode("path", as: String.self), caller.holds(.visitsRead, at: path)
                else { throw Problem.notFound("No such unit.") }
                return try await self.overdue(under: path, limit: limit, in: transaction)
            }
            return try JSONResponse(Items(items: items))
        }
    }

    /// Overdue obligations under a unit, latest first: the ordered index over `next_due_at` is walked
    /// up to the limit first (materialised), and only those rows are joined to people and rules.
    func overdue(under path: String, limit: Int, in transaction: PostgresTransaction) async throws -> [Overdue] {
        try await transaction.query("""
            with due as materialized (
                select o.person_id, o.unit_id, o.rule_key, o.rule_id, o.next_due_at, o.last_check_at, o.check_kinds
                from visit_obligation o
                where o.next_due_at < now() and o.unit_path <@ \(path)::ltree
                order by o.next_due_at, o.person_id, o.rule_key
                limit \(limit))
            select o.person_id, p.name, o.unit_id, o.rule_key, r.description, o.next_due_at, o.last_check_at,
                (extract(epoch from now() - o.next_due_at) / 3600)::int as hours_late,
                (select string_agg(a.display_name, '、' order by a.display_name) from role_grant g join account a on a.id = g.account_id
                 where g.revoked_at is null and g.unit_id in (p.unit_id, p.village_id)
                   and g.role = any (case when 'grid_knock' = any (o.check_kinds) then array['grid_worker', 'village_cadre']
                                          else array['village_cadre'] end)) as responsible
            from due o join person p on p.id = o.person_id join visit_rule r on r.id = o.rule_id
            order by o.next_due_at, o.person_id, o.rule_key
            """).map { row in
            Overdue(
                personId: try row.decode("person_id"), personName: try row.decode("name"), unitId: try row.decode("unit_id"),
                ruleKey: try row.decode("rule_key"), description: try row.decode("description"), nextDueAt: try row.decode("next_due_at"),
                lastCheckAt: try row.decode("last_check_at"), hoursLate: try row.decode("hours_late"), responsible: try row.decode("responsible")
            )
        }
    }
}
