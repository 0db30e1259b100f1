import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads legal-aid cases under row-level security: details only where the caller holds the
/// legal-aid scope, existence and stage wherever the caller sees the person.
enum LegalCaseStore {
    /// The part everyone who sees the person sees, with the case unit's path.
    struct Brief {
        var id: UUID
        var personId: UUID
        var unitId: UUID
        var unitPath: String
        var stage: LegalStage
        var version: Int
    }

    static func brief(_ id: UUID, in transaction: PostgresTransaction) async throws -> Brief? {
        try await transaction.query(
            """
            select c.id, c.person_id, c.unit_id, c.stage, c.version, (select b.path from liushou_unit_brief(c.unit_id) b) as path
            from legal_case c where c.id = \(id)
            """
        ).first.map { row in
            Brief(
                id: try row.decode("id"),
                personId: try row.decode("person_id"),
                unitId: try row.decode("unit_id"),
                unitPath: try row.decode("path"),
                stage: LegalStage(rawValue: try row.decode("stage")) ?? .intake,
                version: try row.decode("version")
            )
        }
    }

    /// The path of a unit inside the caller's legal-aid scope (404 otherwise, revealing nothing).
    static func unitPath(of unit: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> String {
        guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.legalAidRead, at: brief.path) else {
            throw ServiceError.noSuchUnit
        }
        return brief.path
    }

    /// The clause keeping cases of units under `path`.
    private static func under(_ path: String) -> SQLQuery {
        "exists (select from liushou_unit_brief(c.unit_id) b where b.path::ltree <@ \(path)::ltree)"
    }

    /// The office's list, filtered by stage, person and unit (`unit` inside the caller's scope).
    static func list(
        stage: LegalStage?,
        person: UUID?,
        unit: UUID?,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws -> [LegalCaseRow] {
        var clauses: [SQLQuery] = ["true"]
        if let stage { clauses.append("c.stage = \(stage.rawValue)") }
        if let person { clauses.append("c.person_id = \(person)") }
        if let unit { clauses.append(Self.under(try await Self.unitPath(of: unit, caller: caller, in: transaction))) }
        return try await Self.rows(where: SQLQuery.joined(clauses, separator: " and "), in: transaction)
    }

    /// Assigned cases whose first contact is past its deadline, most overdue first.
    static func overdue(unit: UUID?, caller: Caller, in transaction: PostgresTransaction) async throws -> [LegalCaseRow] {
        var clause: SQLQuery = "c.stage = 'assigned' and d.first_contact_at is null and d.first_contact_due < now()"
        if let unit {
            let path = try await Self.unitPath(of: unit, caller: caller, in: transaction)
            clause.append(" and \(Self.under(path))")
        }
        return try await Self.rows(where: clause, orderBy: "d.first_contact_due, c.id", in: transaction)
    }

    /// That a person has cases, and their stages (newest first, at most 100): what every reader of the person sees.
    static func existence(person: UUID, in transaction: PostgresTransaction) async throws -> [LegalCaseExistence] {
        guard try await transaction.query("select id from person where id = \(person)").first != nil else {
            throw ServiceError.noSuchPerson
        }
        return try await transaction.query(
            """
            select id, stage, opened_at from legal_case where person_id = \(person) order by opened_at desc, id limit 100
            """
        ).map { row in
            let stage = LegalStage(rawValue: try row.decode("stage")) ?? .intake
            return LegalCaseExistence(id: try row.decode("id"), stage: stage, stageName: stage.chineseName, openedAt: try row.decode("opened_at"))
        }
    }

    static let rowColumns: SQLQuery = """
        c.id, c.person_id, p.name as person_name, c.unit_id, m.code as matter, c.stage, d.urgency, c.opened_at, d.assignee_name,
        d.first_contact_due, (c.stage = 'assigned' and d.first_contact_at is null and d.first_contact_due < now()) as overdue, c.version
        """

    /// Cases with visible details matching `filter` (a clause over `c`, `d`), oldest first.
    static func rows(
        where filter: SQLQuery,
        orderBy order: SQLQuery = "c.opened_at, c.id",
        limit: Int = 500,
        in transaction: PostgresTransaction
    ) async throws -> [LegalCaseRow] {
        try await transaction.query(
            """
            select \(Self.rowColumns)
            from legal_case c join legal_case_detail d on d.case_id = c.id join legal_matter m on m.id = d.matter_id
                left join person p on p.id = c.person_id
            where \(filter) order by \(order) limit \(limit)
            """
        ).map { row in
            LegalCaseRow(
                id: try row.decode("id"),
                personId: try row.decode("person_id"),
                personName: try row.decode("person_name"),
                unitId: try row.decode("unit_id"),
                matter: try row.decode("matter"),
                stage: LegalStage(rawValue: try row.decode("stage")) ?? .intake,
                urgency: LegalUrgency(rawValue: try row.decode("urgency")) ?? .normal,
                openedAt: try row.decode("opened_at"),
                assigneeName: try row.decode("assignee_name"),
                firstContactDue: try row.decode("first_contact_due"),
                overdue: try row.decode("overdue"),
                version: try row.decode("version")
            )
        }
    }

    /// One case with its details and notes, and its stored content hash; nil when the details are not visible.
    static func find(_ id: UUID, today: LocalDate, in transaction: PostgresTransaction) async throws -> (record: LegalCase, hash: Data)? {
        guard
            let row = try await transaction.query(
                """
                select c.id, c.person_id, p.name as person_name, c.unit_id, c.stage, c.opened_at, c.version, m.code as matter, m.name as matter_name,
                    m.means_free, d.*, (d.first_contact_at is null and d.first_contact_due < now()) as late
                from legal_case c join legal_case_detail d on d.case_id = c.id join legal_matter m on m.id = d.matter_id
                    left join person p on p.id = c.person_id
                where c.id = \(id)
                """
            ).first
        else { return nil }
        let notes = try await transaction.query(
            """
            select id, at, author_name, body from legal_case_note where case_id = \(id) order by at, id
            """
        ).map { note in
            LegalCase.Note(
                id: try note.decode("id"),
                at: try note.decode("at"),
                author: try note.decode("author_name"),
                body: try note.decode("body")
            )
        }
        let stage = LegalStage(rawValue: try row.decode("stage")) ?? .intake
        // Grounds as of the application (a minor who turns 18 while the case waits keeps the ground).
        let grounds = try await LegalEligibility.grounds(
            case: id,
            matterMeansFree: try row.decode("means_free"),
            today: ChinaClock.today(at: try row.decode("opened_at", as: Date.self)),
            in: transaction
        )
        return (try Self.record(row, stage: stage, grounds: grounds, notes: notes), try row.decode("content_hash"))
    }

    private static func record(_ row: PostgresRow, stage: LegalStage, grounds: [EligibilityBasis], notes: [LegalCase.Note]) throws -> LegalCase {
        let guardian = try row.decode("guardian_name", as: String?.self).map { name in
            LegalCaseInput.Guardian(name: name, relationship: try row.decode("guardian_relationship"), personId: try row.decode("guardian_person_id"))
        }
        var eligibility: LegalCase.Eligibility? = nil
        if let decision = try row.decode("decision", as: String?.self) {
            let review = try row.decode("review_decision", as: String?.self).map { decision in
                LegalCase.Review(
                    decision: decision,
                    reason: try row.decode("review_reason"),
                    reviewedBy: try row.decode("reviewed_by_name"),
                    reviewedAt: try row.decode("reviewed_at")
                )
            }
            eligibility = LegalCase.Eligibility(
                decision: decision,
                basis: try row.decode("basis", as: String?.self).flatMap(EligibilityBasis.init(rawValue:)),
                refusalReason: try row.decode("refusal_reason"),
                decidedBy: try row.decode("decided_by_name"),
                decidedAt: try row.decode("decided_at"),
                review: review
            )
        }
        var assignee: LegalCase.Assignee? = nil
        if let kind = try row.decode("assignee_kind", as: String?.self), let assignedAt = try row.decode("assigned_at", as: Date?.self),
            let due = try row.decode("first_contact_due", as: Date?.self)
        {
            assignee = LegalCase.Assignee(
                kind: kind,
                accountId: try row.decode("assignee_account_id"),
                name: try row.decode("assignee_name"),
                firm: try row.decode("lawyer_firm"),
                licenceNumber: try row.decode("lawyer_licence"),
                assignedAt: assignedAt,
                firstContactDue: due,
                firstContactAt: try row.decode("first_contact_at"),
                overdue: try stage == .assigned && (row.decode("late", as: Bool?.self) ?? false)
            )
        }
        return LegalCase(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            personName: try row.decode("person_name"),
            unitId: try row.decode("unit_id"),
            stage: stage,
            matter: try row.decode("matter"),
            matterName: try row.decode("matter_name"),
            guardian: guardian,
            parties: try row.decode("parties"),
            facts: try row.decode("facts"),
            urgency: LegalUrgency(rawValue: try row.decode("urgency")) ?? .normal,
            channel: IntakeChannel(rawValue: try row.decode("channel")) ?? .walkIn,
            followUpId: try row.decode("follow_up_id"),
            involvesLeftBehindChild: try row.decode("involves_left_behind_child"),
            openedAt: try row.decode("opened_at"),
            openedBy: try row.decode("opened_by_name"),
            grounds: grounds,
            eligibility: eligibility,
            assignee: assignee,
            mode: try row.decode("mode", as: String?.self).flatMap(LegalMode.init(rawValue:)),
            outcome: try row.decode("outcome", as: String?.self).flatMap(LegalOutcome.init(rawValue:)),
            closedOn: try row.decode("closed_on"),
            closingSummary: try row.decode("closing_summary"),
            notes: notes,
            version: try row.decode("version")
        )
    }
}
