import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes the family-contact log and counts the "五个一" under row-level security.
enum FamilyContactStore {
    static let columns: SQLQuery = "f.id, f.person_id, f.school_id, f.occurred_on, f.kind, f.with_whom, f.notes, f.recorded_by_name, f.content_hash"

    /// A visible contact with its content hash.
    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (contact: FamilyContact, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.columns) from family_contact f where f.id = \(id)").first else { return nil }
        return (try Self.contact(row), try row.decode("content_hash", as: Data.self))
    }

    /// Inserts a contact of a child on the caller's roll (the caller checked it).
    static func insert(_ input: FamilyContactInput, membership: RollMembership, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into family_contact (id, person_id, enrolment_id, school_id, occurred_on, kind, with_whom, notes, recorded_by, recorded_by_name,
                content_hash)
            values (\(input.id), \(input.personId), \(membership.enrolmentId), \(membership.schoolId), \(input.occurredOn), \(input.kind.rawValue),
                \(input.withWhom.rawValue), \(input.notes), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
    }

    /// The "五个一" of each child on `school`'s open roll in the month from `start` to `next` (home
    /// visits over the 12 months up to its end).
    static func fiveOnes(_ school: UUID, month start: LocalDate, next: LocalDate, in transaction: PostgresTransaction) async throws -> [FiveOnes] {
        let yearBack = LocalDate(year: next.year - 1, month: next.month, day: 1) ?? start
        return try await transaction.query(
            """
            select e.person_id, p.name,
                count(f.id) filter (where f.kind in ('phone', 'video') and f.occurred_on >= \(start))::int as calls,
                count(distinct least((extract(day from f.occurred_on)::int - 1) / 7, 3))
                    filter (where f.kind in ('phone', 'video') and f.occurred_on >= \(start))::int as weeks,
                count(f.id) filter (where f.kind = 'letter' and f.occurred_on >= \(start))::int as letters,
                count(f.id) filter (where f.kind = 'class_teacher' and f.occurred_on >= \(start))::int as class_teacher,
                count(f.id) filter (where f.kind = 'subject_teacher' and f.occurred_on >= \(start))::int as subject_teacher,
                count(f.id) filter (where f.kind = 'home_visit')::int as home_visits,
                count(f.id) filter (where f.kind = 'school_feedback' and f.occurred_on >= \(start))::int as feedback
            from school_enrolment e left join person p on p.id = e.person_id
            left join family_contact f on f.person_id = e.person_id and f.occurred_on >= \(yearBack) and f.occurred_on < \(next)
            where e.school_id = \(school) and e.ended_on is null and p.status = 'active' and e.enrolled_on < \(next)
            group by e.person_id, p.name
            order by p.name, e.person_id
            """
        ).map(Self.fiveOnes)
    }

    static func fiveOnes(_ row: PostgresRow) throws -> FiveOnes {
        let weeks = try row.decode("weeks", as: Int.self)
        let letters = try row.decode("letters", as: Int.self)
        let classTeacher = try row.decode("class_teacher", as: Int.self)
        let subjectTeacher = try row.decode("subject_teacher", as: Int.self)
        let visits = try row.decode("home_visits", as: Int.self)
        let feedback = try row.decode("feedback", as: Int.self)
        return FiveOnes(
            personId: try row.decode("person_id"),
            personName: try row.decode("name"),
            calls: try row.decode("calls"),
            weeksWithCall: weeks,
            letters: letters,
            classTeacherContacts: classTeacher,
            subjectTeacherContacts: subjectTeacher,
            homeVisitsLast12Months: visits,
            feedback: feedback,
            met: .init(
                weeklyCall: weeks >= 4,
                monthlyLetter: letters > 0,
                classTeacher: classTeacher > 0,
                subjectTeacher: subjectTeacher > 0,
                yearlyHomeVisit: visits > 0,
                monthlyFeedback: feedback > 0
            )
        )
    }

    static func contact(_ row: PostgresRow) throws -> FamilyContact {
        FamilyContact(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            schoolId: try row.decode("school_id"),
            occurredOn: try row.decode("occurred_on"),
            kind: FamilyContactKind(rawValue: try row.decode("kind")) ?? .phone,
            withWhom: FamilyMember(rawValue: try row.decode("with_whom")) ?? .otherFamily,
            notes: try row.decode("notes"),
            recordedByName: try row.decode("recorded_by_name")
        )
    }
}
