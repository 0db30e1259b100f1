import Foundation
import LiushouPostgres

/// Reads learning plans with their progress checks under row-level security.
enum LearningPlanStore {
    static func plans(where filter: SQLQuery, in transaction: PostgresTransaction) async throws -> [(plan: LearningPlan, hash: Data)] {
        let rows = try await transaction.query("""
            select l.id, l.person_id, l.school_id, l.subjects, l.goals, l.measures, l.start_on, l.review_on, l.pairing_id, l.teacher_name, l.content_hash
            from learning_plan l where \(filter) order by l.start_on desc, l.created_at desc limit 200
            """)
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode("id", as: UUID.self) }
        var checks: [UUID: [LearningCheck]] = [:]
        for row in try await transaction.query("""
            select c.id, c.plan_id, c.checked_on, c.progress, c.notes, c.checked_by_name from learning_check c
            where c.plan_id = any(\(ids)) order by c.checked_on, c.recorded_at
            """) {
            let check = try Self.check(row)
            checks[check.planId, default: []].append(check)
        }
        return try rows.map { row in
            let id = try row.decode("id", as: UUID.self)
            let plan = LearningPlan(
                id: id, personId: try row.decode("person_id"), schoolId: try row.decode("school_id"),
                subjects: try row.decode("subjects", as: [String].self).compactMap(LearningSubject.init(rawValue:)), goals: try row.decode("goals"),
                measures: try row.decode("measures"), startOn: try row.decode("start_on"), reviewOn: try row.decode("review_on"),
                pairingId: try row.decode("pairing_id"), teacherName: try row.decode("teacher_name"), checks: checks[id] ?? []
            )
            return (plan, try row.decode("content_hash", as: Data.self))
        }
    }

    static func check(_ row: PostgresRow) throws -> LearningCheck {
        LearningCheck(id: try row.decode("id"), planId: try row.decode("plan_id"), checkedOn: try row.decode("checked_on"),
                      progress: LearningProgress(rawValue: try row.decode("progress")) ?? .steady, notes: try row.decode("notes"),
                      checkedByName: try row.decode("checked_by_name"))
    }
}
