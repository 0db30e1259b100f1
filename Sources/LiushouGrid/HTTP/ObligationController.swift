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

    struct TaskList: Encodable {
        var items: [Task]
        /// Obligations due before this instant are listed (the end of today, China time).
        var dueBefore: Date
        var truncated: Bool
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
        routes.on(.get, "/v1/tasks", .permission(.checksRecord)) { request, _, caller in
            let query = try TaskQuery(request.uri.queryParameters)
            let kinds = Self.kinds(of: caller).filter { query.kind == nil || $0 == query.kind }
            let dueBefore = Self.endOfChinaDay(after: query.days)
            let items = try await self.database.transaction(for: caller) { transaction -> [Task] in
                var path: String? = nil
                if let unitID = query.unitId {
                    guard let found = try await transaction.query("select path::text as path from org_unit where id = \(unitID)").first?
                        .decode("path", as: String.self) else { throw Problem.notFound("No such unit.") }
                    path = found
                }
                guard !kinds.isEmpty else { return [] }
                return try await self.tasks(for: caller, kinds: kinds, unitPath: path, dueBefore: dueBefore, limit: query.limit + 1, in: transaction)
            }
            return try JSONResponse(TaskList(items: Array(items.prefix(query.limit)), dueBefore: dueBefore, truncated: items.count > query.limit))
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

    /// The check kinds a caller's roles make.
    static func kinds(of caller: Caller) -> [String] {
        let roles = Set(caller.grants.map(\.role))
        var kinds: [CheckKind] = []
        if !roles.isDisjoint(with: [.villageCadre, .childWelfareSupervisor, .townAdmin, .countyAdmin]) { kinds.append(.cadreVisit) }
        if !roles.isDisjoint(with: [.gridWorker, .villageCadre]) { kinds.append(.gridKnock) }
        if roles.contains(.volunteer) { kinds.append(.volunteerVisit) }
        if roles.contains(.schoolStaff) { kinds.append(.teacherHomeVisit) }
        return kinds.map(\.rawValue)
    }

    /// The end of the China day `days` after today.
    static func endOfChinaDay(after days: Int, from now: Date = Date()) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let start = calendar.startOfDay(for: now)
        return calendar.date(byAdding: .day, value: days + 1, to: start)!
    }

    /// Obligations the caller can satisfy that fall due by `dueBefore` (overdue ones included),
    /// nearest first, under row-level security (the caller's own area, or their paired people).
    func tasks(for caller: Caller, kinds: [String], unitPath: String?, dueBefore: Date, limit: Int,
               in transaction: PostgresTransaction) async throws -> [Task] {
        try await transaction.query("""
            with due as materialized (
                select o.person_id, o.rule_id, o.rule_key, o.check_kinds, o.last_check_at, o.next_due_at
                from visit_obligation o
                where o.next_due_at < \(dueBefore) and o.check_kinds && \(kinds)
                  and (\(unitPath)::ltree is null or o.unit_path <@ \(unitPath)::ltree)
                order by o.next_due_at, o.person_id, o.rule_key
                limit \(limit))
            select d.person_id, p.name, p.sex, extract(year from p.birth_date)::int as birth_year, p.categories, p.risk_level, p.household_id,
                h.code as household_code, h.address, p.unit_id, u.name as unit_name, v.name as village_name, d.rule_key, r.description,
                d.check_kinds, d.last_check_at, d.next_due_at, d.next_due_at < now() as overdue
            from due d join person p on p.id = d.person_id join visit_rule r on r.id = d.rule_id
                left join household h on h.id = p.household_id
                cross join lateral (select b.name from liushou_unit_brief(p.unit_id) b) u
                cross join lateral (select b.name from liushou_unit_brief(p.village_id) b) v
            where p.status = 'active'
            order by d.next_due_at, d.person_id, d.rule_key
            """).map { row in
            Task(
                personId: try row.decode("person_id"), personName: try row.decode("name"), sex: try row.decode("sex"),
                birthYear: try row.decode("birth_year"), categories: try row.decode("categories"), riskLevel: try row.decode("risk_level"),
                householdId: try row.decode("household_id"), householdCode: try row.decode("household_code"), address: try row.decode("address"),
                unitId: try row.decode("unit_id"), unitName: try row.decode("unit_name"), villageName: try row.decode("village_name"),
                ruleKey: try row.decode("rule_key"), description: try row.decode("description"), checkKinds: try row.decode("check_kinds"),
                lastCheckAt: try row.decode("last_check_at"), nextDueAt: try row.decode("next_due_at"), overdue: try row.decode("overdue")
            )
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

/// `GET /v1/tasks` parameters: `kind` (one check kind), `unitId` (only under this unit), `days`
/// (0: due by the end of today, China time; up to 7), `limit` (1–2000, default 1000).
struct TaskQuery {
    var kind: String?
    var unitId: UUID?
    var days: Int
    var limit: Int

    init(_ parameters: Parameters) throws {
        var errors: [Problem.FieldError] = []
        self.kind = parameters["kind"].map(String.init)
        if let kind = self.kind, CheckKind(rawValue: kind) == nil {
            errors.append(.init(field: "kind", message: "must be one of " + CheckKind.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        self.unitId = nil
        if let text = parameters["unitId"] {
            self.unitId = UUID(uuidString: String(text))
            if self.unitId == nil { errors.append(.init(field: "unitId", message: "must be a UUID")) }
        }
        self.days = 0
        if let text = parameters["days"] {
            if let value = Int(text), (0...7).contains(value) { self.days = value } else {
                errors.append(.init(field: "days", message: "must be 0 to 7"))
            }
        }
        self.limit = 1000
        if let text = parameters["limit"] {
            if let value = Int(text), (1...2000).contains(value) { self.limit = value } else {
                errors.append(.init(field: "limit", message: "must be 1 to 2000"))
            }
        }
        guard errors.isEmpty else { throw Problem.badRequest("The query is invalid.", errors: errors) }
    }
}
