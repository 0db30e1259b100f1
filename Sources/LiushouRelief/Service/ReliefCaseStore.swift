import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// The relief module's SQL and row mapping for cases, their lists and the units they are asked
/// about, all under row-level security.
struct ReliefCaseStore: Sendable {

    /// The columns of a case row (`c` the case, `t` its type, `p` its person).
    static let columns: SQLQuery = """
        c.id, c.person_id, p.name as person_name, c.household_id, c.unit_id, c.village_id, c.type_key, coalesce(t.name, c.type_key) as type_name,
        c.urgency, c.need, c.amount_requested_fen, c.amount_granted_fen, c.documents, c.source, c.follow_up_id, c.officer_account_id,
        c.raised_by_name, c.state, c.appeals, c.submitted_at, c.decision_due_at,
        (c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now()) as overdue,
        c.decided_at, c.decision_reason, c.paid_on, c.paid_amount_fen, c.payment_channel, c.closed_at, c.version,
        (select b.path from liushou_unit_brief(c.unit_id) b) as unit_path
        """

    /// The joins every case read uses.
    static let from: SQLQuery = """
        relief_case c left join relief_case_type t on t.id = c.type_id left join person p on p.id = c.person_id
        """

    /// One case the caller sees, with its unit's path; `lock` takes the row lock for a transition.
    func load(_ id: UUID, lock: Bool = false, in transaction: PostgresTransaction) async throws -> (ReliefCase, String)? {
        let suffix: SQLQuery = lock ? "for update of c" : ""
        guard let row = try await transaction.query("select \(Self.columns) from \(Self.from) where c.id = \(id) \(suffix)").first else {
            return nil
        }
        return (try Self.reliefCase(row), try row.decode("unit_path", as: String.self))
    }

    /// A case with its transitions and the caller's next actions, and its unit's path.
    func detail(_ id: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> (ReliefCase, String)? {
        guard let (loaded, path) = try await self.load(id, in: transaction) else { return nil }
        var result = loaded
        result.transitions = try await self.transitions(of: id, in: transaction)
        result.allowedActions = Self.allowedActions(result, path: path, caller: caller)
        return (result, path)
    }

    /// The recorded transitions of a case, oldest first.
    func transitions(of id: UUID, in transaction: PostgresTransaction) async throws -> [ReliefTransition] {
        try await transaction.query(
            """
            select id, action, from_state, to_state, actor_name, actor_role, at, comment, amount_fen, paid_on, channel
            from relief_transition where case_id = \(id) order by seq
            """
        ).map(Self.transition)
    }

    /// A unit's path and kind when the caller holds `permission` there; 404 otherwise (existence not revealed).
    func unit(_ id: UUID, caller: Caller, permission: Permission, in transaction: PostgresTransaction) async throws -> (path: String, kind: String) {
        guard let row = try await transaction.query("select path::text as path, kind from org_unit where id = \(id)").first else {
            throw ServiceError.noSuchUnit
        }
        let path = try row.decode("path", as: String.self)
        guard caller.holds(permission, at: path) else { throw ServiceError.noSuchUnit }
        return (path, try row.decode("kind", as: String.self))
    }

    /// The cases under `unitPath` and/or of `person` (at least one given), newest first, at most 500.
    func list(
        unitPath: String?,
        person: UUID?,
        state: ReliefState?,
        in transaction: PostgresTransaction
    ) async throws -> [ReliefCase] {
        var filters: [SQLQuery] = []
        if let unitPath {
            filters.append("exists (select from org_unit u where u.id = c.unit_id and u.path <@ \(unitPath)::ltree)")
        }
        if let person {
            guard try await transaction.query("select 1 from person where id = \(person)").first != nil else {
                throw ServiceError.noSuchPerson
            }
            filters.append("c.person_id = \(person)")
        }
        if let state { filters.append("c.state = \(state.rawValue)") }
        return try await transaction.query(
            """
            select \(Self.columns) from \(Self.from)
            where \(SQLQuery.joined(filters, separator: " and ")) order by c.submitted_at desc, c.id limit 500
            """
        ).map(Self.reliefCase)
    }

    /// Cases under `path` awaiting a decision past their deadline, most overdue first, at most 500.
    func overdue(under path: String, in transaction: PostgresTransaction) async throws -> [ReliefOverdueCase] {
        try await transaction.query(
            """
            select c.id, c.person_id, p.name as person_name, v.name as village_name, c.type_key, coalesce(t.name, c.type_key) as type_name,
                c.urgency, c.state, c.submitted_at, c.decision_due_at, (extract(epoch from now() - c.decision_due_at) / 3600)::int as hours_late
            from relief_case c join org_unit u on u.id = c.unit_id left join org_unit v on v.id = c.village_id
                left join person p on p.id = c.person_id left join relief_case_type t on t.id = c.type_id
            where c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now() and u.path <@ \(path)::ltree
            order by c.decision_due_at, c.id limit 500
            """
        ).map { row in
            ReliefOverdueCase(
                caseId: try row.decode("id"),
                personId: try row.decode("person_id"),
                personName: try row.decode("person_name"),
                villageName: try row.decode("village_name"),
                typeKey: try row.decode("type_key"),
                typeName: try row.decode("type_name"),
                urgency: try row.decode("urgency"),
                state: try row.decode("state"),
                submittedAt: try row.decode("submitted_at"),
                decisionDueAt: try row.decode("decision_due_at"),
                hoursLate: try row.decode("hours_late")
            )
        }
    }

    /// Actions legal from the case's state that the caller's roles on its unit allow.
    static func allowedActions(_ reliefCase: ReliefCase, path: String, caller: Caller) -> [ReliefAction] {
        ReliefStateMachine.actions(from: reliefCase.state).filter { action in
            caller.holds(action.permission, at: path) && (action != .appeal || reliefCase.appeals < ReliefStateMachine.maxAppeals)
        }
    }

    static func reliefCase(_ row: PostgresRow) throws -> ReliefCase {
        ReliefCase(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            personName: try row.decode("person_name"),
            householdId: try row.decode("household_id"),
            unitId: try row.decode("unit_id"),
            villageId: try row.decode("village_id"),
            typeKey: try row.decode("type_key"),
            typeName: try row.decode("type_name"),
            urgency: try Self.value(row, "urgency"),
            need: try row.decode("need"),
            amountRequestedFen: try row.decode("amount_requested_fen"),
            amountGrantedFen: try row.decode("amount_granted_fen"),
            documents: try row.decode("documents"),
            source: try Self.value(row, "source"),
            followUpId: try row.decode("follow_up_id"),
            officerAccountId: try row.decode("officer_account_id"),
            raisedByName: try row.decode("raised_by_name"),
            state: try Self.value(row, "state"),
            appeals: try row.decode("appeals"),
            submittedAt: try row.decode("submitted_at"),
            decisionDueAt: try row.decode("decision_due_at"),
            overdue: try row.decode("overdue"),
            decidedAt: try row.decode("decided_at"),
            decisionReason: try row.decode("decision_reason"),
            paidOn: try row.decode("paid_on"),
            paidAmountFen: try row.decode("paid_amount_fen"),
            paymentChannel: try row.decode("payment_channel", as: String?.self).flatMap(ReliefTransitionInput.Channel.init(rawValue:)),
            closedAt: try row.decode("closed_at"),
            version: try row.decode("version"),
            allowedActions: nil,
            transitions: nil
        )
    }

    static func transition(_ row: PostgresRow) throws -> ReliefTransition {
        ReliefTransition(
            id: try row.decode("id"),
            action: try Self.value(row, "action"),
            fromState: try Self.value(row, "from_state"),
            toState: try Self.value(row, "to_state"),
            actorName: try row.decode("actor_name"),
            actorRole: try row.decode("actor_role"),
            at: try row.decode("at"),
            comment: try row.decode("comment"),
            amountFen: try row.decode("amount_fen"),
            paidOn: try row.decode("paid_on"),
            channel: try row.decode("channel")
        )
    }

    /// A text column as one of the closed vocabulary's values.
    static func value<Value: RawRepresentable>(_ row: PostgresRow, _ column: String) throws -> Value where Value.RawValue == String {
        let text = try row.decode(column, as: String.self)
        guard let value = Value(rawValue: text) else {
            throw DatabaseError.typeMismatch(column: column, postgresType: "text", swiftType: "\(Value.self)")
        }
        return value
    }
}
