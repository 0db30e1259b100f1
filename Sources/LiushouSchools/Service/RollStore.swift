import Foundation
import LiushouPostgres

/// Reads roll rows, status changes and dropout cases under row-level security (a child's name shows
/// only while the caller may see the child).
enum RollStore {
    static let enrolmentColumns: SQLQuery = """
        e.id, e.person_id, p.name as person_name, e.school_id, (select b.name from liushou_unit_brief(e.school_id) b) as school_name, e.stage, e.grade,
        e.class_name, e.class_teacher_id, e.boarding, e.enrolled_on, e.status, e.ended_on, e.transferred_from, e.transfer_to_school_id,
        e.transfer_to_name, e.version
        """

    /// Visible roll rows matching `filter` (a clause over `e` and `p`).
    static func enrolments(where filter: SQLQuery, limit: Int = 2000, in transaction: PostgresTransaction) async throws -> [Enrolment] {
        try await transaction.query("""
            select \(Self.enrolmentColumns) from school_enrolment e left join person p on p.id = e.person_id
            where \(filter) order by e.grade, e.class_name nulls last, p.name, e.enrolled_on, e.id limit \(limit)
            """).map(Self.enrolment)
    }

    /// One visible roll row.
    static func enrolment(_ id: UUID, in transaction: PostgresTransaction) async throws -> Enrolment? {
        try await Self.enrolments(where: "e.id = \(id)", limit: 1, in: transaction).first
    }

    static func enrolment(_ row: PostgresRow) throws -> Enrolment {
        Enrolment(
            id: try row.decode("id"), personId: try row.decode("person_id"), personName: try row.decode("person_name"), schoolId: try row.decode("school_id"),
            schoolName: try row.decode("school_name"), stage: RollStage(rawValue: try row.decode("stage")) ?? .primary, grade: try row.decode("grade"),
            className: try row.decode("class_name"), classTeacherId: try row.decode("class_teacher_id"), boarding: try row.decode("boarding"),
            enrolledOn: try row.decode("enrolled_on"), status: RollStatus(rawValue: try row.decode("status")) ?? .enrolled,
            endedOn: try row.decode("ended_on"), transferredFrom: try row.decode("transferred_from"),
            transferToSchoolId: try row.decode("transfer_to_school_id"), transferToName: try row.decode("transfer_to_name"),
            version: try row.decode("version")
        )
    }

    static let changeColumns: SQLQuery = """
        c.id, c.enrolment_id, c.person_id, c.school_id, c.from_status, c.to_status, c.effective_on, c.reason, c.to_school_id, c.to_school_name,
        c.recorded_by_name, c.recorded_at, c.content_hash
        """

    /// One visible status change and its content hash.
    static func change(_ id: UUID, in transaction: PostgresTransaction) async throws -> (change: StatusChange, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.changeColumns) from school_status_change c where c.id = \(id)").first else { return nil }
        let change = StatusChange(
            id: try row.decode("id"), enrolmentId: try row.decode("enrolment_id"), personId: try row.decode("person_id"),
            schoolId: try row.decode("school_id"), fromStatus: RollStatus(rawValue: try row.decode("from_status")) ?? .enrolled,
            toStatus: RollStatus(rawValue: try row.decode("to_status")) ?? .enrolled, effectiveOn: try row.decode("effective_on"),
            reason: try row.decode("reason"), toSchoolId: try row.decode("to_school_id"), toSchoolName: try row.decode("to_school_name"),
            recordedByName: try row.decode("recorded_by_name"), recordedAt: try row.decode("recorded_at")
        )
        return (change, try row.decode("content_hash", as: Data.self))
    }

    static let caseColumns: SQLQuery = """
        d.id, d.person_id, p.name as person_name, d.enrolment_id, d.school_id, d.unit_id, d.opened_on, d.status, d.closed_on, d.closed_how,
        d.close_reason, d.version, (select b.path from liushou_unit_brief(d.unit_id) b) as unit_path
        """

    /// Visible dropout cases matching `filter` (a clause over `d` and `p`), oldest first.
    static func cases(where filter: SQLQuery, limit: Int = 500, in transaction: PostgresTransaction) async throws -> [DropoutCase] {
        try await transaction.query("""
            select \(Self.caseColumns) from dropout_case d left join person p on p.id = d.person_id
            where \(filter) order by d.opened_on, d.id limit \(limit)
            """).map(Self.dropoutCase)
    }

    static func dropoutCase(_ row: PostgresRow) throws -> DropoutCase {
        DropoutCase(
            id: try row.decode("id"), personId: try row.decode("person_id"), personName: try row.decode("person_name"),
            enrolmentId: try row.decode("enrolment_id"), schoolId: try row.decode("school_id"), unitId: try row.decode("unit_id"),
            openedOn: try row.decode("opened_on"), status: try row.decode("status"), closedOn: try row.decode("closed_on"),
            closedHow: try row.decode("closed_how"), closeReason: try row.decode("close_reason"), version: try row.decode("version")
        )
    }
}
