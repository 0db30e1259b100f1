import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes learning plans and their progress checks under row-level security.
enum LearningPlanStore {
    /// A visible plan with its checks and content hash.
    static func plan(_ id: UUID, in transaction: PostgresTransaction) async throws -> (plan: LearningPlan, hash: Data)? {
        try await Self.plans(where: "l.id = \(id)", in: transaction).first
    }

    /// A child's visible plans, newest first.
    static func plans(ofPerson id: UUID, in transaction: PostgresTransaction) async throws -> [LearningPlan] {
        try await Self.plans(where: "l.person_id = \(id)", in: transaction).map(\.plan)
    }

    static func plans(where filter: SQLQuery, in transaction: PostgresTransaction) async throws -> [(plan: LearningPlan, hash: Data)] {
        let rows = try await transaction.query(
            """
            select l.id, l.person_id, l.school_id, l.subjects, l.goals, l.measures, l.start_on, l.review_on, l.pairing_id, l.teacher_name, l.content_hash
            from learning_plan l where \(filter) order by l.start_on desc, l.created_at desc limit 200
            """
        )
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode("id", as: UUID.self) }
        var checks: [UUID: [LearningCheck]] = [:]
        for row in try await transaction.query(
            """
            select c.id, c.plan_id, c.checked_on, c.progress, c.notes, c.checked_by_name from learning_check c
            where c.plan_id = any(\(ids)) order by c.checked_on, c.recorded_at
            """
        ) {
            let check = try Self.check(row)
            checks[check.planId, default: []].append(check)
        }
        return try rows.map { row in
            let id = try row.decode("id", as: UUID.self)
            let plan = LearningPlan(
                id: id,
                personId: try row.decode("person_id"),
                schoolId: try row.decode("school_id"),
                subjects: try row.decode("subjects", as: [String].self).compactMap(LearningSubject.init(rawValue:)),
                goals: try row.decode("goals"),
                measures: try row.decode("measures"),
                startOn: try row.decode("start_on"),
                reviewOn: try row.decode("review_on"),
                pairingId: try row.decode("pairing_id"),
                teacherName: try row.decode("teacher_name"),
                checks: checks[id] ?? []
            )
            return (plan, try row.decode("content_hash", as: Data.self))
        }
    }

    /// Inserts a plan for a child on the caller's roll, linked to `pairing` (the caller checked it).
    static func insert(
        _ input: LearningPlanInput,
        membership: RollMembership,
        pairing: UUID?,
        caller: Caller,
        in transaction: PostgresTransaction
    )
        async throws
    {
        try await transaction.query(
            """
            insert into learning_plan (id, person_id, enrolment_id, school_id, subjects, goals, measures, start_on, review_on, pairing_id,
                teacher_account_id, teacher_name, content_hash)
            values (\(input.id), \(input.personId), \(membership.enrolmentId), \(membership.schoolId), \(input.subjects.map(\.rawValue)),
                \(input.goals.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.measures), \(input.startOn), \(input.reviewOn), \(pairing),
                \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
    }

    /// The named learning-buddy pairing of the child, or the child's one running learning-buddy pairing.
    static func pairing(for input: LearningPlanInput, in transaction: PostgresTransaction) async throws -> UUID? {
        let named: SQLQuery =
            input.pairingId.map { "and g.id = \($0)" } ?? """
                and g.status = 'active' and g.start_on <= (now() at time zone 'Asia/Shanghai')::date
                and (g.end_on is null or g.end_on >= (now() at time zone 'Asia/Shanghai')::date)
                """
        let rows = try await transaction.query(
            """
            select g.id from pairing g join pairing_person pp on pp.pairing_id = g.id
            where pp.person_id = \(input.personId) and g.kind = 'learning_buddy' \(named) limit 2
            """
        )
        return rows.count == 1 ? try rows[0].decode("id", as: UUID.self) : nil
    }

    static let checkColumns: SQLQuery = "c.id, c.plan_id, c.checked_on, c.progress, c.notes, c.checked_by_name, c.content_hash"

    /// A visible progress check with its content hash.
    static func check(_ id: UUID, in transaction: PostgresTransaction) async throws -> (check: LearningCheck, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.checkColumns) from learning_check c where c.id = \(id)").first else { return nil }
        return (try Self.check(row), try row.decode("content_hash", as: Data.self))
    }

    /// Inserts a progress check of `plan` (the caller checked it).
    static func insert(_ input: LearningCheckInput, plan: LearningPlan, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into learning_check (id, plan_id, person_id, school_id, checked_on, progress, notes, checked_by, checked_by_name, content_hash)
            values (\(input.id), \(plan.id), \(plan.personId), \(plan.schoolId), \(input.checkedOn), \(input.progress.rawValue), \(input.notes),
                \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
    }

    static func check(_ row: PostgresRow) throws -> LearningCheck {
        LearningCheck(
            id: try row.decode("id"),
            planId: try row.decode("plan_id"),
            checkedOn: try row.decode("checked_on"),
            progress: LearningProgress(rawValue: try row.decode("progress")) ?? .steady,
            notes: try row.decode("notes"),
            checkedByName: try row.decode("checked_by_name")
        )
    }
}
