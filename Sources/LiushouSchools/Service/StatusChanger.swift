import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Applies a status change to a roll row: records it, closes the row on a transfer or completion
/// (opening the receiving school's row for a school of the county), raises the alerts, and opens or
/// closes the dropout case (控辍保学).
enum StatusChanger {
    /// What the content hash covers: the row and the change.
    struct Content: Encodable {
        var enrolmentId: UUID
        var input: StatusChangeInput
    }

    /// Alert recipients: the village cadre and the town's child-welfare supervisor (the town's education contact).
    static let alertRoles = ["village_cadre", "child_welfare_supervisor"]

    static func apply(
        _ input: StatusChangeInput,
        to enrolment: Enrolment,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws
        -> (receiving: UUID?, alerts: Int)
    {
        let change = input.id
        let reason = input.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        // Timeline first: after a transfer the sending school no longer sees the child.
        var summary = "学籍状态：\(enrolment.status.chineseName) → \(input.toStatus.chineseName)（\(input.effectiveOn)）"
        if let name = input.toSchoolName { summary += "，转入 \(name)" }
        try await PersonTimeline.append(
            .init(
                person: enrolment.personId,
                module: "schools",
                kind: "school.status." + input.toStatus.rawValue,
                summary: summary,
                caller: caller,
                record: change
            ),
            in: transaction
        )
        try await transaction.query(
            """
            insert into school_status_change (id, enrolment_id, person_id, school_id, from_status, to_status, effective_on, reason, to_school_id,
                to_school_name, recorded_by, recorded_by_name, content_hash)
            values (\(change), \(enrolment.id), \(enrolment.personId), \(enrolment.schoolId), \(enrolment.status.rawValue), \(input.toStatus.rawValue),
                \(input.effectiveOn), \(reason), \(input.toSchoolId), \(input.toSchoolName?.trimmingCharacters(in: .whitespacesAndNewlines)),
                \(caller.accountID), \(caller.name), \(ContentHash.of(Content(enrolmentId: enrolment.id, input: input))))
            """
        )
        let ended: LocalDate? = input.toStatus.isOpen ? nil : input.effectiveOn
        try await transaction.query(
            """
            update school_enrolment set status = \(input.toStatus.rawValue), ended_on = \(ended), transfer_to_school_id = \(input.toSchoolId),
                transfer_to_name = \(input.toSchoolName?.trimmingCharacters(in: .whitespacesAndNewlines)), version = version + 1, updated_at = now()
            where id = \(enrolment.id)
            """
        )
        var receiving: UUID?
        if input.toStatus == .transferredOut, input.toSchoolId != nil {
            receiving = try await transaction.query("select school_transfer_open(\(change)) as id").first?.decode("id", as: UUID?.self)
        }
        var alerts = 0
        if input.toStatus.raisesAlert {
            for role in Self.alertRoles {
                try await transaction.query(
                    """
                    insert into follow_up (id, school_status_change_id, person_id, unit_id, need, routed_role, status)
                    values (\(UUID()), \(change), \(enrolment.personId), liushou_person_unit(\(enrolment.personId)), 'schooling', \(role), 'open')
                    """
                )
                alerts += 1
            }
        }
        if input.toStatus == .droppedOut {
            try await transaction.query(
                """
                insert into dropout_case (id, person_id, enrolment_id, school_id, unit_id, opened_on, status)
                values (\(change), \(enrolment.personId), \(enrolment.id), \(enrolment.schoolId), liushou_person_unit(\(enrolment.personId)),
                    \(input.effectiveOn), 'open')
                on conflict (person_id) where status = 'open' do nothing
                """
            )
        } else if enrolment.status == .droppedOut, input.toStatus == .enrolled || input.toStatus == .transferredOut {
            // Back in school (here, or at the receiving school): the case closes.
            try await transaction.query(
                """
                update dropout_case set status = 'closed', closed_on = \(input.effectiveOn), closed_how = 'returned', closed_by = \(caller.accountID),
                    closed_by_change = \(change), version = version + 1
                where person_id = \(enrolment.personId) and status = 'open' and school_id = \(enrolment.schoolId)
                """
            )
        }
        return (receiving, alerts)
    }
}
