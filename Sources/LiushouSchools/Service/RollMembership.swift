import Foundation
import LiushouAccess
import LiushouPostgres

/// The open roll row of a child at one of the caller's own schools (staff only).
struct RollMembership {
    var enrolmentId: UUID
    var schoolId: UUID
    var schoolPath: String
    var enrolledOn: LocalDate

    static func find(_ person: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> RollMembership? {
        guard
            let row = try await transaction.query(
                """
                select e.id, e.school_id, e.enrolled_on, (select b.path from liushou_unit_brief(e.school_id) b) as path
                from school_enrolment e join person p on p.id = e.person_id
                where e.person_id = \(person) and e.ended_on is null and p.status = 'active'
                """
            ).first
        else { return nil }
        let membership = RollMembership(
            enrolmentId: try row.decode("id"),
            schoolId: try row.decode("school_id"),
            schoolPath: try row.decode("path"),
            enrolledOn: try row.decode("enrolled_on")
        )
        return caller.covers(membership.schoolPath, in: .school) ? membership : nil
    }
}
