import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes the class teachers' heart-to-heart talks (谈心) under row-level security.
enum TalkStore {
    static let columns: SQLQuery =
        "t.id, t.person_id, t.enrolment_id, t.school_id, t.talked_on, t.topics, t.mood, t.concerns, t.teacher_name, t.content_hash"

    /// A visible talk with its content hash.
    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (talk: Talk, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.columns) from school_talk t where t.id = \(id)").first else { return nil }
        return (try Self.talk(row), try row.decode("content_hash", as: Data.self))
    }

    /// Inserts a talk with a child on the caller's roll (the caller checked it).
    static func insert(_ input: TalkInput, membership: RollMembership, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into school_talk (id, person_id, enrolment_id, school_id, talked_on, topics, mood, concerns, teacher_account_id, teacher_name,
                content_hash)
            values (\(input.id), \(input.personId), \(membership.enrolmentId), \(membership.schoolId), \(input.talkedOn),
                \(input.topics.map(\.rawValue)), \(input.mood.rawValue), \(input.concerns), \(caller.accountID), \(caller.name),
                \(ContentHash.of(input)))
            """
        )
    }

    /// Children now attending `school` (enrolled or often absent), on the roll before the month from
    /// `start` ends (`next`), with no talk in it.
    static func due(_ school: UUID, month start: LocalDate, next: LocalDate, in transaction: PostgresTransaction) async throws -> [TalkDue] {
        try await transaction.query(
            """
            select e.id, e.person_id, p.name, e.grade, e.class_name, e.class_teacher_id, e.status,
                (select max(t.talked_on) from school_talk t where t.person_id = e.person_id and t.talked_on < \(start)) as last_talk_on
            from school_enrolment e left join person p on p.id = e.person_id
            where e.school_id = \(school) and e.ended_on is null and p.status = 'active' and e.status in ('enrolled', 'long_absence') and e.enrolled_on < \(next)
              and not exists (select from school_talk t where t.person_id = e.person_id and t.talked_on >= \(start) and t.talked_on < \(next))
            order by e.grade, e.class_name nulls last, p.name, e.id
            """
        ).map { row in
            TalkDue(
                personId: try row.decode("person_id"),
                personName: try row.decode("name"),
                enrolmentId: try row.decode("id"),
                grade: try row.decode("grade"),
                className: try row.decode("class_name"),
                classTeacherId: try row.decode("class_teacher_id"),
                status: RollStatus(rawValue: try row.decode("status")) ?? .enrolled,
                lastTalkOn: try row.decode("last_talk_on")
            )
        }
    }

    static func talk(_ row: PostgresRow) throws -> Talk {
        Talk(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            enrolmentId: try row.decode("enrolment_id"),
            schoolId: try row.decode("school_id"),
            talkedOn: try row.decode("talked_on"),
            topics: try row.decode("topics", as: [String].self).compactMap(TalkTopic.init(rawValue:)),
            mood: TalkMood(rawValue: try row.decode("mood")) ?? .ordinary,
            concerns: try row.decode("concerns"),
            teacherName: try row.decode("teacher_name")
        )
    }
}
