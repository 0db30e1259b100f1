import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Follow-ups, read and resolved under the caller's row-level security; who may handle one is
/// decided from what a `Row` carries besides it.
struct FollowUpStore: Sendable {
    /// A stored follow-up (`canResolve` still false, the resolution as stored) with what decides who handles it.
    struct Row: Sendable {
        var followUp: FollowUp
        /// The path of the follow-up's unit.
        var unitPath: String
        /// The path of the child's school.
        var schoolPath: String?
        /// Whether a clinic the caller works for serves the person's village.
        var servedByMyClinic: Bool

        var routedRole: String { self.followUp.routedRole }
        var checkupId: UUID? { self.followUp.checkupId }
    }

    private static let columns: SQLQuery = """
        f.id, f.check_id, f.checkup_id, f.school_status_change_id, f.person_id, f.household_id, f.need, f.routed_role, f.status, f.opened_at, f.resolved_at, f.resolution, f.version,
        p.name as person_name,
        (select b.path from liushou_unit_brief(f.unit_id) b) as unit_path,
        (select b.path from liushou_unit_brief(p.school_id) b) as school_path,
        exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                where a.village_id = p.village_id and c.path <@ liushou_scope_for('clinic')) as served_by_my_clinic
        """

    /// A page of follow-ups of a status, before the caller's filter: open ones oldest first, resolved
    /// ones most recently resolved first, after the row `after` of the previous page.
    /// `roles`, when given, keeps those routed to one of them.
    func list(status: String, roles: [String]?, after: Row?, limit: Int, in transaction: PostgresTransaction) async throws -> [Row] {
        let routed: SQLQuery = if let roles { "and f.routed_role = any(\(roles))" } else { "" }
        if status == "resolved" {
            let cursor: SQLQuery =
                if let after, let at = after.followUp.resolvedAt { "and (f.resolved_at, f.id) < (\(at), \(after.followUp.id))" } else { "" }
            return try await transaction.query(
                """
                select \(Self.columns) from follow_up f left join person p on p.id = f.person_id
                where f.status = 'resolved' \(routed) \(cursor) order by f.resolved_at desc, f.id desc limit \(limit)
                """
            ).map(Self.row)
        }
        let cursor: SQLQuery = if let after { "and (f.opened_at, f.id) > (\(after.followUp.openedAt), \(after.followUp.id))" } else { "" }
        return try await transaction.query(
            """
            select \(Self.columns) from follow_up f left join person p on p.id = f.person_id
            where f.status = \(status) \(routed) \(cursor) order by f.opened_at, f.id limit \(limit)
            """
        ).map(Self.row)
    }

    /// A follow-up, locked for a change.
    func lock(_ id: UUID, in transaction: PostgresTransaction) async throws -> Row? {
        try await transaction.query(
            """
            select \(Self.columns) from follow_up f left join person p on p.id = f.person_id where f.id = \(id) for update of f
            """
        ).first.map(Self.row)
    }

    func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> Row? {
        try await transaction.query(
            """
            select \(Self.columns) from follow_up f left join person p on p.id = f.person_id where f.id = \(id)
            """
        ).first.map(Self.row)
    }

    func resolve(_ id: UUID, resolution: String, by caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            update follow_up set status = 'resolved', resolved_at = now(), resolved_by = \(caller.accountID), resolution = \(resolution),
                version = version + 1
            where id = \(id)
            """
        )
    }

    private static func row(_ row: PostgresRow) throws -> Row {
        Row(
            followUp: FollowUp(
                id: try row.decode("id"),
                checkId: try row.decode("check_id"),
                checkupId: try row.decode("checkup_id"),
                schoolStatusChangeId: try row.decode("school_status_change_id"),
                personId: try row.decode("person_id"),
                personName: try row.decode("person_name"),
                householdId: try row.decode("household_id"),
                need: try row.decode("need"),
                routedRole: try row.decode("routed_role"),
                status: try row.decode("status"),
                openedAt: try row.decode("opened_at"),
                resolvedAt: try row.decode("resolved_at"),
                resolution: try row.decode("resolution"),
                version: try row.decode("version"),
                canResolve: false
            ),
            unitPath: try row.decode("unit_path"),
            schoolPath: try row.decode("school_path"),
            servedByMyClinic: try row.decode("served_by_my_clinic")
        )
    }
}
