import Crypto
import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Takes one workflow transition on a case the caller may act on: checks the body, the role, the
/// version and the stage, the action's own rules against the stored case, then moves the stage by a
/// compare-and-set on the version (of two concurrent transitions exactly one succeeds) and writes the
/// details, the timeline entry and the audit record. The same shape as `ReliefTransitioner.apply`.
struct LegalTransitioner: Sendable {
    let clock: ChinaClock

    /// The stored case after `action` with `input` on case `id` at If-Match `version`.
    /// Applies `action` to case `id` as `caller`; with an `idempotencyKey`, a step already taken under the key
    /// (same sender and body) is answered with the case as it stands, `replayed`, and nothing is applied again.
    func apply(
        _ action: LegalAction,
        _ input: LegalTransitionInput,
        to id: UUID,
        ifMatch version: Int,
        idempotencyKey key: String? = nil,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> (record: LegalCase, replayed: Bool) {
        let today = self.clock.today()
        let errors = LegalRules.problems(input, for: action, today: today, now: self.clock.now())
        if !errors.isEmpty { throw ServiceError.invalid(errors) }
        let digest = Self.digest(action, input)
        // The case's row first: a retry arriving while its first attempt commits waits here, then meets
        // the first attempt's step (not its new version, which would answer 412 "not saved").
        if key != nil { try await transaction.query("select 1 from legal_case where id = \(id) for update") }
        if let key,
            let prior = try await transaction.query(
                "select actor_id, request_hash from legal_case_step where case_id = \(id) and idempotency_key = \(key)"
            ).first
        {
            guard try prior.decode("actor_id", as: UUID.self) == caller.accountID, try prior.decode("request_hash", as: Data.self) == digest
            else {
                throw ServiceError.unprocessable(
                    code: "idempotency_key_reused",
                    title: "The Idempotency-Key was used for another request",
                    detail: "Use a new key for a new step.",
                    errors: [.init(field: "Idempotency-Key", message: "was used for another request")]
                )
            }
            guard let current = try await LegalCaseStore.find(id, today: today, in: transaction)?.record else { throw Problem.internalError }
            // The answer holds the case's details: read as any read of them is, audited. The write also makes
            // the COMMIT wait for the standby, so the replay vouches only for a step a failover keeps.
            try await AuditEntry(
                caller: caller,
                origin: origin,
                action: "legal_case.read",
                resource: "legal_case",
                recordID: id.uuidString.lowercased(),
                unitID: current.unitId
            ).append(in: transaction)
            return (current, true)
        }
        let step = Step(action: action, input: input, caller: caller, today: today, now: self.clock.now())
        let (brief, target) = try await step.apply(to: id, version: version, in: transaction)
        if let key {
            try await transaction.query(
                """
                insert into legal_case_step (case_id, idempotency_key, action, unit_id, actor_id, request_hash)
                values (\(id), \(key), \(action.rawValue), \(brief.unitId), \(caller.accountID), \(digest))
                """
            )
        }
        guard let saved = try await LegalCaseStore.find(id, today: today, in: transaction)?.record else { throw Problem.internalError }
        try await AuditEntry(
            caller: caller,
            origin: origin,
            action: action.auditAction,
            resource: "legal_case",
            recordID: id.uuidString.lowercased(),
            unitID: brief.unitId,
            detail: ["from": brief.stage.rawValue, "to": target.rawValue]
        ).append(in: transaction)
        return (saved, false)
    }

    /// SHA-256 of the step and its body (keys sorted), to tell a retry from another step under the same key.
    static func digest(_ action: LegalAction, _ input: LegalTransitionInput) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var hash = SHA256()
        hash.update(data: Data(action.rawValue.utf8))
        hash.update(data: (try? encoder.encode(input)) ?? Data())
        return Data(hash.finalize())
    }
}

/// One transition's checks and writes.
private struct Step {
    let action: LegalAction
    let input: LegalTransitionInput
    let caller: Caller
    let today: LocalDate
    let now: Date

    func apply(to id: UUID, version: Int, in transaction: PostgresTransaction) async throws -> (brief: LegalCaseStore.Brief, target: LegalStage) {
        guard let brief = try await LegalCaseStore.brief(id, in: transaction),
            let current = try await LegalCaseStore.find(id, today: self.today, in: transaction)?.record
        else { throw ServiceError.notFound("No such legal-aid case.") }
        guard !self.caller.roles(at: brief.unitPath).isDisjoint(with: self.action.roles) else {
            throw ServiceError.forbidden(
                code: "forbidden",
                title: "Not allowed",
                detail: "Only \(self.action.roles.sorted().map(\.rawValue).joined(separator: " or ")) of the case's town may do this."
            )
        }
        guard brief.version == version else { throw ServiceError.versionMismatch(record: "legal-aid case", current: brief.version) }
        let choice: LegalWorkflow.Choice
        switch self.action {
        case .decide: choice = .eligible(self.input.eligible ?? false)
        case .review: choice = .eligible(self.input.decision == .overturn)
        case .close: choice = .withdrawal(self.input.outcome == .withdrawn)
        case .assign, .firstContact: choice = .none
        }
        guard let target = LegalWorkflow.target(of: self.action, from: brief.stage, choice: choice) else {
            if self.action == .close, LegalWorkflow.sources(of: .close).contains(brief.stage) {
                throw ServiceError.invalid("outcome", "before the first contact a case closes only as withdrawn")
            }
            throw ServiceError.conflict(
                code: "invalid_transition",
                title: "Not possible at this stage",
                detail: "A case in stage \(brief.stage.rawValue) cannot take \(self.action.path)."
            )
        }
        let changes = try await self.changes(current, brief: brief, in: transaction)
        let moved = try await transaction.query(
            """
            update legal_case set stage = \(target.rawValue), version = version + 1, updated_at = now()
            where id = \(id) and version = \(version) and stage = \(brief.stage.rawValue)
            returning version
            """
        )
        guard moved.first != nil else {
            let now = try await LegalCaseStore.brief(id, in: transaction)
            throw ServiceError.versionMismatch(record: "legal-aid case", current: now?.version ?? version + 1)
        }
        try await transaction.query("update legal_case_detail set \(changes) where case_id = \(id)")
        if target != brief.stage {
            try await LegalTimeline.append(case: id, person: brief.personId, stage: target, in: transaction)
        }
        return (brief, target)
    }

    /// The detail columns the transition sets, after its checks against the stored case.
    private func changes(_ current: LegalCase, brief: LegalCaseStore.Brief, in transaction: PostgresTransaction) async throws -> SQLQuery {
        let reason = self.input.reason.map(LegalRules.trimmed)
        switch self.action {
        case .decide:
            if self.input.eligible == true {
                try self.requireGround(current)
                return
                    "decision = 'eligible', basis = \(self.input.basis?.rawValue), decided_by = \(self.caller.accountID), decided_by_name = \(self.caller.name), decided_at = now()"
            }
            return
                "decision = 'refused', refusal_reason = \(reason), decided_by = \(self.caller.accountID), decided_by_name = \(self.caller.name), decided_at = now()"
        case .review:
            let decidedBy = try await transaction.query("select decided_by from legal_case_detail where case_id = \(current.id)").first?
                .decode("decided_by", as: UUID?.self)
            guard decidedBy != self.caller.accountID else {
                throw ServiceError.forbidden(
                    code: "same_officer",
                    title: "Not allowed",
                    detail: "A refusal is reviewed by another officer or the town administrator."
                )
            }
            let overturned = self.input.decision == .overturn
            if overturned { try self.requireGround(current) }
            let basis: SQLQuery = overturned ? "decision = 'eligible', basis = \(self.input.basis?.rawValue), " : ""
            return """
                \(basis)review_decision = \(overturned ? "overturned" : "upheld"), review_reason = \(reason), reviewed_by = \(self.caller.accountID),
                reviewed_by_name = \(self.caller.name), reviewed_at = now()
                """
        case .assign:
            let days =
                try await transaction.query(
                    """
                    select coalesce((select s.first_contact_days from legal_aid_setting s where s.county_id = liushou_county_of(\(brief.unitId))), 3) as days
                    """
                ).first?.decode("days", as: Int.self) ?? 3
            let due: SQLQuery = "now() + interval '1 day' * \(Double(days))"
            if let officer = self.input.officerAccountId {
                let name = try await transaction.query("select liushou_legal_officer_name(\(officer), \(brief.unitId)) as name").first?
                    .decode("name", as: String?.self)
                guard let name else {
                    throw ServiceError.invalid("officerAccountId", "no legal-aid officer of this case's town has this login")
                }
                return """
                    assignee_kind = 'officer', assignee_account_id = \(officer), assignee_name = \(name), lawyer_firm = null, lawyer_licence = null,
                    assigned_at = coalesce(assigned_at, now()), first_contact_due = coalesce(first_contact_due, \(due))
                    """
            }
            guard let lawyer = self.input.lawyer else { throw Problem.internalError }
            return """
                assignee_kind = 'lawyer', assignee_account_id = null, assignee_name = \(LegalRules.trimmed(lawyer.name)),
                lawyer_firm = \(LegalRules.trimmed(lawyer.firm)), lawyer_licence = \(lawyer.licenceNumber),
                assigned_at = coalesce(assigned_at, now()), first_contact_due = coalesce(first_contact_due, \(due))
                """
        case .firstContact:
            let at = self.input.contactedAt ?? self.now
            if let assigned = current.assignee?.assignedAt, at < assigned.addingTimeInterval(-60) {
                throw ServiceError.invalid("contactedAt", "is before the case was assigned")
            }
            return "first_contact_at = \(at), mode = \(self.input.mode?.rawValue)"
        case .close:
            let closedOn = self.input.closedOn ?? self.today
            let opened = ChinaClock.today(at: current.openedAt)
            if closedOn < opened { throw ServiceError.invalid("closedOn", "is before the case was opened") }
            return """
                outcome = \(self.input.outcome?.rawValue), closed_on = \(closedOn), closing_summary = \(self.input.summary.map(LegalRules.trimmed)),
                mode = coalesce(\(self.input.mode?.rawValue), mode)
                """
        }
    }

    /// The chosen basis must be one the registry and the county's rules support for this person and matter.
    private func requireGround(_ current: LegalCase) throws {
        guard let basis = self.input.basis, current.grounds.contains(basis) else {
            let supported = current.grounds.map(\.rawValue).joined(separator: ", ")
            throw ServiceError.invalid(
                "basis",
                supported.isEmpty
                    ? "the registry supports no ground of eligibility for this person and matter"
                    : "the registry supports only: \(supported)"
            )
        }
    }
}
