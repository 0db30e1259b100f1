import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Raises relief cases: retries recognised by the client's id, one open case per person and type,
/// the deadline from the county's rules for the type, a timeline entry for the person.
struct ReliefCaseFiling: Sendable {
    let store: ReliefCaseStore

    /// What filing did.
    enum Outcome: Sendable {
        /// A new case.
        case created(ReliefCase)
        /// A retry of a case already filed with the same content.
        case existing(ReliefCase)
    }

    /// Files `input` as `caller` (audited in `origin`).
    func file(_ input: ReliefCaseInput, caller: Caller, origin: AuditOrigin, in transaction: PostgresTransaction) async throws -> Outcome {
        let hash = input.contentHash
        // A retry is answered before anything else: the person may have changed since.
        if let row = try await transaction.query("select encode(content_hash, 'hex') as hash from relief_case where id = \(input.id)").first {
            guard try row.decode("hash", as: String.self) == hash, let (existing, _) = try await self.store.load(input.id, in: transaction) else {
                throw ServiceError.idConflict(record: "relief case")
            }
            // A retry answered from the stored row: its COMMIT waits for the standby too.
            try await transaction.commitWaitsForStandby()
            return .existing(existing)
        }
        let problems = input.problems()
        guard problems.isEmpty else { throw ServiceError.invalid(problems) }
        let personRow = try await transaction.query(
            """
            select p.id, p.unit_id, p.village_id, p.household_id, (select b.path from liushou_unit_brief(p.unit_id) b) as path
            from person p where p.id = \(input.personId) and p.status = 'active'
            """
        ).first
        let personPath = try personRow?.decode("path", as: String.self)
        guard let person = personRow, let path = personPath, caller.holds(.reliefRaise, at: path) else {
            throw ServiceError.invalid("personId", "no such active person in your relief scope")
        }
        let unitID = try person.decode("unit_id", as: UUID.self)
        let villageID = try person.decode("village_id", as: UUID.self)
        guard let type = try await ReliefCaseTypes.effective(key: input.typeKey, countyPath: ReliefCaseTypes.countyPath(of: path), in: transaction)
        else {
            throw ServiceError.invalid("typeKey", "no such case type in this county")
        }
        if let ceiling = type.maxAmountFen, input.amountRequestedFen > ceiling {
            throw ServiceError.invalid("amountRequestedFen", "this type grants at most \(ceiling) fen")
        }
        if let followUp = input.followUpId,
            try await transaction.query("select 1 from follow_up where id = \(followUp) and person_id = \(input.personId)").first == nil
        {
            throw ServiceError.invalid("followUpId", "no such follow-up of this person")
        }
        if let officer = input.officerAccountId,
            try await transaction.query("select relief_officer_covers(\(officer), \(unitID)) as ok").first?.decode("ok", as: Bool.self) != true
        {
            throw ServiceError.invalid("officerAccountId", "is not a relief officer or administrator covering this person")
        }
        if let open = try await Self.openCase(person: input.personId, typeKey: type.key, except: nil, in: transaction) {
            throw Self.duplicate(open)
        }
        try await transaction.query(
            """
            insert into relief_case (id, person_id, household_id, unit_id, village_id, type_id, type_key, urgency, need, amount_requested_fen,
                documents, source, follow_up_id, officer_account_id, raised_by, raised_by_name, state, decision_clock_from, decision_due_at,
                content_hash)
            values (\(input.id), \(input.personId), \(try person.decode("household_id", as: UUID?.self)), \(unitID),
                \(villageID), \(type.id), \(type.key), \(input.urgency.rawValue),
                \(input.need.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.amountRequestedFen),
                \((input.documents ?? []).map { $0.trimmingCharacters(in: .whitespaces) }), \(input.source.rawValue), \(input.followUpId),
                \(input.officerAccountId), \(caller.accountID), \(caller.name), 'submitted', now(),
                relief_decision_due(now(), \(input.urgency.rawValue), \(type.id), \(villageID)), decode(\(hash), 'hex'))
            """
        )
        try await PersonTimeline.append(
            ReliefCaseFiling.timelineEntry(
                person: input.personId,
                kind: "relief.submitted",
                summary: "帮扶救助：提交申请",
                caller: caller,
                case: input.id
            ),
            in: transaction
        )
        try await AuditEntry(
            caller: caller,
            origin: origin,
            action: "relief.raise",
            resource: "relief_case",
            recordID: input.id.uuidString.lowercased(),
            unitID: unitID,
            unitPath: path,
            detail: ["type": type.key, "urgency": input.urgency.rawValue]
        ).append(in: transaction)
        guard let (created, _) = try await self.store.load(input.id, in: transaction) else { throw Problem.internalError }
        return .created(created)
    }

    /// The open case of a type for a person, other than `except`.
    static func openCase(person: UUID, typeKey: String, except: UUID?, in transaction: PostgresTransaction) async throws -> UUID? {
        try await transaction.query(
            """
            select id from relief_case
            where person_id = \(person) and type_key = \(typeKey) and state in ('submitted', 'village_reviewed', 'approved', 'paid')
              and id is distinct from \(except)
            """
        ).first?.decode("id", as: UUID.self)
    }

    /// 409 pointing at the open case.
    static func duplicate(_ existing: UUID?) -> ServiceError {
        .conflict(
            code: "duplicate_open_case",
            title: "An open case of this type exists",
            detail: "This person already has an open case of this type; follow that one.",
            extensions: existing.map { ["existingCaseId": $0.uuidString.lowercased()] } ?? [:]
        )
    }

    /// A step on the person's timeline. It names the step only: no type, amount or reason, since
    /// everyone who sees the person (teachers, volunteers) reads the timeline.
    static func timelineEntry(person: UUID, kind: String, summary: String, caller: Caller, case id: UUID) -> PersonTimeline.Entry {
        PersonTimeline.Entry(person: person, module: "relief", kind: kind, summary: summary, caller: caller, record: id)
    }
}
