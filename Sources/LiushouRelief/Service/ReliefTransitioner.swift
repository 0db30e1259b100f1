import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Takes a step on a case: the case row is locked, a retried request (same Idempotency-Key) is
/// answered from its first result, then the caller's permission, the version, the state machine and
/// the request are checked, and the case moves by compare-and-set on (state, version).
struct ReliefTransitioner: Sendable {
    let store: ReliefCaseStore

    /// The answer to a transition request.
    struct Result: Sendable, Codable {
        var reliefCase: ReliefCase
        var transition: ReliefTransition
        /// A retry answered from the first request's result (nothing was changed).
        var replayed: Bool

        enum CodingKeys: String, CodingKey {
            case reliefCase = "case"
            case transition
            case replayed
        }
    }

    /// Applies `input` to case `id` as `caller`.
    func apply(
        _ input: ReliefTransitionInput,
        to id: UUID,
        ifMatch version: Int,
        idempotencyKey key: String,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> Result {
        guard let (current, path) = try await self.store.load(id, lock: true, in: transaction) else {
            throw ServiceError.notFound("No such relief case.")
        }
        let hash = input.requestHash
        if let prior = try await self.prior(case: id, key: key, in: transaction) {
            guard prior.actor == caller.accountID, prior.hash == hash else {
                throw ServiceError.unprocessable(
                    code: "idempotency_key_reused",
                    title: "The Idempotency-Key was used for another request",
                    detail: "Use a new key for a new request.",
                    errors: [.init(field: "Idempotency-Key", message: "was used for another request")]
                )
            }
            return Result(reliefCase: current, transition: prior.transition, replayed: true)
        }
        guard caller.holds(input.action.permission, at: path) else {
            throw ServiceError.forbidden(
                code: "forbidden",
                title: "Not allowed",
                detail: "Your roles here do not allow \(input.action.permission.rawValue)."
            )
        }
        guard current.version == version else { throw ServiceError.versionMismatch(record: "relief case", current: current.version) }
        guard let target = ReliefStateMachine.target(of: input.action, from: current.state) else {
            let legal = ReliefStateMachine.actions(from: current.state).map(\.rawValue)
            throw ServiceError.conflict(
                code: "illegal_transition",
                title: "Not possible in this state",
                detail: "A \(current.state.rawValue) case cannot \(input.action.rawValue); legal here: "
                    + (legal.isEmpty ? "none" : legal.joined(separator: ", ")) + "."
            )
        }
        if input.action == .appeal, current.appeals >= ReliefStateMachine.maxAppeals {
            throw ServiceError.conflict(code: "appeal_used", title: "Already appealed", detail: "A case may be appealed once.")
        }
        let dates = try await transaction.query(
            """
            select (now() at time zone 'Asia/Shanghai')::date as today,
                (select (decided_at at time zone 'Asia/Shanghai')::date from relief_case where id = \(id)) as decided_on,
                (select t.max_amount_fen from relief_case c join relief_case_type t on t.id = c.type_id where c.id = \(id)) as max_amount
            """
        ).first
        let problems = input.problems(
            granted: current.amountGrantedFen,
            maxAmount: try dates?.decode("max_amount", as: Int64?.self),
            today: try dates?.decode("today", as: LocalDate.self) ?? LocalDate(daysSince1970: 0),
            decidedOn: try dates?.decode("decided_on", as: LocalDate?.self)
        )
        guard problems.isEmpty else { throw ServiceError.invalid(problems) }
        if input.action == .appeal,
            let open = try await ReliefCaseFiling.openCase(person: current.personId, typeKey: current.typeKey, except: id, in: transaction)
        {
            throw ReliefCaseFiling.duplicate(open)
        }
        let moved = try await transaction.query(self.update(input, case: id, from: current.state, to: target, version: version, caller: caller))
        guard moved.count == 1 else { throw ServiceError.versionMismatch(record: "relief case", current: current.version + 1) }
        let role = caller.roles(at: path).intersection(input.action.permission.roles).sorted().first?.rawValue ?? "unknown"
        let transitionID = UUID()
        try await transaction.query(
            """
            insert into relief_transition (id, case_id, seq, action, from_state, to_state, actor_account_id, actor_name, actor_role, comment,
                amount_fen, paid_on, channel, idempotency_key, request_hash)
            values (\(transitionID), \(id), \(version), \(input.action.rawValue), \(current.state.rawValue), \(target.rawValue), \(caller.accountID),
                \(caller.name), \(role), \(input.trimmedComment), \(input.amountFen), \(input.paidOn), \(input.channel?.rawValue), \(key),
                decode(\(hash), 'hex'))
            """
        )
        // Through the case, not the person: the file may have moved out of the caller's sight.
        let entry = ReliefCaseFiling.timelineEntry(
            person: current.personId,
            kind: "relief.\(input.action.rawValue)",
            summary: "帮扶救助：" + input.action.chineseName,
            caller: caller,
            case: id
        )
        try await transaction.query(
            "select relief_case_timeline(\(id), \(entry.id), \(entry.kind), \(entry.summary), \(entry.accountName))"
        )
        var detail = ["from": current.state.rawValue, "to": target.rawValue]
        if let amount = input.amountFen { detail["amountFen"] = String(amount) }
        try await AuditEntry(
            caller: caller,
            origin: origin,
            action: "relief.\(input.action.rawValue)",
            resource: "relief_case",
            recordID: id.uuidString.lowercased(),
            unitID: current.unitId,
            unitPath: path,
            detail: detail
        ).append(in: transaction)
        guard let (updated, _) = try await self.store.load(id, in: transaction),
            let transition = try await self.store.transitions(of: id, in: transaction).first(where: { $0.id == transitionID })
        else { throw Problem.internalError }
        return Result(reliefCase: updated, transition: transition, replayed: false)
    }

    /// The compare-and-set update for one step.
    private func update(
        _ input: ReliefTransitionInput,
        case id: UUID,
        from: ReliefState,
        to: ReliefState,
        version: Int,
        caller: Caller
    ) -> SQLQuery {
        let set: SQLQuery
        switch input.action {
        case .review, .withdraw:
            set = ""
        case .approve:
            set =
                ", amount_granted_fen = \(input.amountFen), decided_at = now(), decision_reason = \(input.trimmedComment), officer_account_id = coalesce(officer_account_id, \(caller.accountID))"
        case .reject:
            set =
                ", decided_at = now(), decision_reason = \(input.trimmedComment), officer_account_id = coalesce(officer_account_id, \(caller.accountID))"
        case .pay:
            set = ", paid_on = \(input.paidOn), paid_amount_fen = \(input.amountFen), payment_channel = \(input.channel?.rawValue)"
        case .close:
            set = ", closed_at = now()"
        case .appeal:
            set =
                ", appeals = appeals + 1, decided_at = null, decision_clock_from = now(), decision_due_at = relief_decision_due(now(), urgency, type_id, village_id)"
        }
        return """
            update relief_case set state = \(to.rawValue), version = version + 1 \(set)
            where id = \(id) and state = \(from.rawValue) and version = \(version) returning id
            """
    }

    private struct Prior {
        var actor: UUID
        var hash: String
        var transition: ReliefTransition
    }

    /// The transition recorded under an Idempotency-Key for this case.
    private func prior(case id: UUID, key: String, in transaction: PostgresTransaction) async throws -> Prior? {
        guard
            let row = try await transaction.query(
                """
                select id, action, from_state, to_state, actor_name, actor_role, at, comment, amount_fen, paid_on, channel, actor_account_id,
                    encode(request_hash, 'hex') as hash
                from relief_transition where case_id = \(id) and idempotency_key = \(key)
                """
            ).first
        else { return nil }
        return Prior(actor: try row.decode("actor_account_id"), hash: try row.decode("hash"), transition: try ReliefCaseStore.transition(row))
    }
}
