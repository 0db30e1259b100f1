import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes roll rows, status changes and dropout cases under row-level security (a child's
/// name shows only while the caller may see the child). Status changes are written by `StatusChanger`.
enum RollStore {
    static let enrolmentColumns: SQLQuery = """
        e.id, e.person_id, p.name as person_name, e.school_id, (select b.name from liushou_unit_brief(e.school_id) b) as school_name, e.stage, e.grade,
        e.class_name, e.class_teacher_id, e.boarding, e.enrolled_on, e.status, e.ended_on, e.transferred_from, e.transfer_to_school_id,
        e.transfer_to_name, e.version
        """

    /// Visible roll rows matching `filter` (a clause over `e` and `p`).
    static func enrolments(where filter: SQLQuery, limit: Int = 2000, in transaction: PostgresTransaction) async throws -> [Enrolment] {
        try await transaction.query(
            """
            select \(Self.enrolmentColumns) from school_enrolment e left join person p on p.id = e.person_id
            where \(filter) order by e.grade, e.class_name nulls last, p.name, e.enrolled_on, e.id limit \(limit)
            """
        ).map(Self.enrolment)
    }

    /// One visible roll row.
    static func enrolment(_ id: UUID, in transaction: PostgresTransaction) async throws -> Enrolment? {
        try await Self.enrolments(where: "e.id = \(id)", limit: 1, in: transaction).first
    }

    /// A school's roll: its open rows, or every row it ever had.
    static func roll(_ school: UUID, openOnly: Bool, in transaction: PostgresTransaction) async throws -> [Enrolment] {
        let open: SQLQuery = openOnly ? "and e.ended_on is null" : ""
        return try await Self.enrolments(where: "e.school_id = \(school) \(open)", in: transaction)
    }

    /// A child's visible roll rows, oldest first.
    static func enrolments(ofPerson id: UUID, in transaction: PostgresTransaction) async throws -> [Enrolment] {
        try await transaction.query(
            """
            select \(Self.enrolmentColumns) from school_enrolment e left join person p on p.id = e.person_id
            where e.person_id = \(id) order by e.enrolled_on, e.created_at
            """
        ).map(Self.enrolment)
    }

    /// The content hash of a visible roll row.
    static func enrolmentHash(_ id: UUID, in transaction: PostgresTransaction) async throws -> Data? {
        try await transaction.query("select content_hash from school_enrolment where id = \(id)").first?.decode("content_hash", as: Data.self)
    }

    /// What decides whether a child may be put on a school's roll.
    struct Candidate {
        var status: String
        /// The child's file names the school, or the caller's area holds the child.
        var enrollable: Bool?
        var categories: [String]
        var birthDate: LocalDate?
    }

    /// The child as a candidate for `school`'s roll; nil when the caller does not see the child.
    static func candidate(_ person: UUID, school: UUID, in transaction: PostgresTransaction) async throws -> Candidate? {
        // A school enrols a child its file names at the school; the town or county any child of theirs (as the insert policy says).
        try await transaction.query(
            """
            select name, status, categories, birth_date, school_id = \(school) or liushou_unit_in_scope(unit_id, 'person_area') as enrollable
            from person where id = \(person)
            """
        ).first.map { row in
            Candidate(
                status: try row.decode("status"),
                enrollable: try row.decode("enrollable"),
                categories: try row.decode("categories"),
                birthDate: try row.decode("birth_date", as: LocalDate?.self)
            )
        }
    }

    /// Inserts a new roll row (the caller checked it).
    static func insert(_ input: EnrolmentInput, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into school_enrolment (id, person_id, school_id, stage, grade, class_name, class_teacher_id, boarding, enrolled_on, status,
                content_hash, created_by)
            values (\(input.id), \(input.personId), \(input.schoolId), \(input.stage.rawValue), \(input.grade),
                \(input.className?.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.classTeacherId), \(input.boarding), \(input.enrolledOn),
                'enrolled', \(ContentHash.of(input)), \(caller.accountID))
            """
        )
    }

    /// Locks a roll row and returns its version.
    static func lockedVersion(_ id: UUID, in transaction: PostgresTransaction) async throws -> Int? {
        try await transaction.query("select version from school_enrolment where id = \(id) for update").first?.decode("version", as: Int.self)
    }

    /// Replaces a roll row's placement and bumps its version.
    static func place(_ id: UUID, _ input: Placement, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            update school_enrolment set stage = \(input.stage.rawValue), grade = \(input.grade),
                class_name = \(input.className?.trimmingCharacters(in: .whitespacesAndNewlines)), class_teacher_id = \(input.classTeacherId),
                boarding = \(input.boarding), version = version + 1, updated_at = now()
            where id = \(id)
            """
        )
    }

    static func enrolment(_ row: PostgresRow) throws -> Enrolment {
        Enrolment(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            personName: try row.decode("person_name"),
            schoolId: try row.decode("school_id"),
            schoolName: try row.decode("school_name"),
            stage: RollStage(rawValue: try row.decode("stage")) ?? .primary,
            grade: try row.decode("grade"),
            className: try row.decode("class_name"),
            classTeacherId: try row.decode("class_teacher_id"),
            boarding: try row.decode("boarding"),
            enrolledOn: try row.decode("enrolled_on"),
            status: RollStatus(rawValue: try row.decode("status")) ?? .enrolled,
            endedOn: try row.decode("ended_on"),
            transferredFrom: try row.decode("transferred_from"),
            transferToSchoolId: try row.decode("transfer_to_school_id"),
            transferToName: try row.decode("transfer_to_name"),
            version: try row.decode("version")
        )
    }

    static let changeColumns: SQLQuery = """
        c.id, c.enrolment_id, c.person_id, c.school_id, c.from_status, c.to_status, c.effective_on, c.reason, c.to_school_id, c.to_school_name,
        c.recorded_by_name, c.recorded_at, c.content_hash
        """

    /// One visible status change and its content hash.
    static func change(_ id: UUID, in transaction: PostgresTransaction) async throws -> (change: StatusChange, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.changeColumns) from school_status_change c where c.id = \(id)").first else {
            return nil
        }
        let change = StatusChange(
            id: try row.decode("id"),
            enrolmentId: try row.decode("enrolment_id"),
            personId: try row.decode("person_id"),
            schoolId: try row.decode("school_id"),
            fromStatus: RollStatus(rawValue: try row.decode("from_status")) ?? .enrolled,
            toStatus: RollStatus(rawValue: try row.decode("to_status")) ?? .enrolled,
            effectiveOn: try row.decode("effective_on"),
            reason: try row.decode("reason"),
            toSchoolId: try row.decode("to_school_id"),
            toSchoolName: try row.decode("to_school_name"),
            recordedByName: try row.decode("recorded_by_name"),
            recordedAt: try row.decode("recorded_at")
        )
        return (change, try row.decode("content_hash", as: Data.self))
    }

    /// A child's visible status changes, in the order they took effect.
    static func changes(ofPerson id: UUID, in transaction: PostgresTransaction) async throws -> [StatusChange] {
        var changes: [StatusChange] = []
        for row in try await transaction.query(
            """
            select c.id from school_status_change c where c.person_id = \(id) order by c.effective_on, c.recorded_at
            """
        ) {
            if let change = try await Self.change(try row.decode("id", as: UUID.self), in: transaction) { changes.append(change.change) }
        }
        return changes
    }

    /// The effective date of a roll row's latest status change.
    static func latestChange(of enrolment: UUID, in transaction: PostgresTransaction) async throws -> LocalDate? {
        try await transaction.query(
            """
            select max(effective_on) as latest from school_status_change where enrolment_id = \(enrolment)
            """
        ).first?.decode("latest", as: LocalDate?.self)
    }

    static let caseColumns: SQLQuery = """
        d.id, d.person_id, p.name as person_name, d.enrolment_id, d.school_id, d.unit_id, d.opened_on, d.status, d.closed_on, d.closed_how,
        d.close_reason, d.version, (select b.path from liushou_unit_brief(d.unit_id) b) as unit_path
        """

    /// Visible dropout cases matching `filter` (a clause over `d` and `p`), oldest first.
    static func cases(where filter: SQLQuery, limit: Int = 500, in transaction: PostgresTransaction) async throws -> [DropoutCase] {
        try await transaction.query(
            """
            select \(Self.caseColumns) from dropout_case d left join person p on p.id = d.person_id
            where \(filter) order by d.opened_on, d.id limit \(limit)
            """
        ).map(Self.dropoutCase)
    }

    /// Visible dropout cases with `status` (open or closed), of children of `unit`'s subtree or at a school `unit`.
    static func cases(status: String, unit: UUID?, in transaction: PostgresTransaction) async throws -> [DropoutCase] {
        var filter: SQLQuery = "d.status = \(status)"
        if let unit {
            filter = """
                \(filter) and (d.school_id = \(unit)
                    or exists (select from liushou_unit_brief(d.unit_id) b, liushou_unit_brief(\(unit)) u where b.path::ltree <@ u.path::ltree))
                """
        }
        return try await Self.cases(where: filter, in: transaction)
    }

    /// One visible dropout case.
    static func dropoutCase(_ id: UUID, in transaction: PostgresTransaction) async throws -> DropoutCase? {
        try await Self.cases(where: "d.id = \(id)", limit: 1, in: transaction).first
    }

    /// The dropout case a status change opened (same id) or closed.
    static func dropoutCase(openedOrClosedBy change: UUID, in transaction: PostgresTransaction) async throws -> DropoutCase? {
        try await Self.cases(where: "d.id = \(change) or d.closed_by_change = \(change)", limit: 1, in: transaction).first
    }

    /// One visible dropout case with the path of the child's unit.
    static func dropoutCaseWithPath(_ id: UUID, in transaction: PostgresTransaction) async throws -> (dropoutCase: DropoutCase, unitPath: String)? {
        guard
            let row = try await transaction.query(
                """
                select \(Self.caseColumns) from dropout_case d left join person p on p.id = d.person_id where d.id = \(id)
                """
            ).first
        else { return nil }
        let path = try row.decode("unit_path", as: String.self)
        return (try Self.dropoutCase(row), path)
    }

    /// Locks a dropout case and returns its version and status.
    static func lockedCase(_ id: UUID, in transaction: PostgresTransaction) async throws -> (version: Int, status: String)? {
        guard let row = try await transaction.query("select version, status from dropout_case where id = \(id) for update").first else { return nil }
        return (try row.decode("version", as: Int.self), try row.decode("status", as: String.self))
    }

    /// Closes a dropout case by the town's decision.
    static func closeCase(_ id: UUID, on day: LocalDate, reason: String, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            update dropout_case set status = 'closed', closed_on = \(day), closed_how = 'closed_by_town',
                close_reason = \(reason), closed_by = \(caller.accountID), version = version + 1
            where id = \(id)
            """
        )
    }

    static func dropoutCase(_ row: PostgresRow) throws -> DropoutCase {
        DropoutCase(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            personName: try row.decode("person_name"),
            enrolmentId: try row.decode("enrolment_id"),
            schoolId: try row.decode("school_id"),
            unitId: try row.decode("unit_id"),
            openedOn: try row.decode("opened_on"),
            status: try row.decode("status"),
            closedOn: try row.decode("closed_on"),
            closedHow: try row.decode("closed_how"),
            closeReason: try row.decode("close_reason"),
            version: try row.decode("version")
        )
    }
}
