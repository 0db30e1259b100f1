import Foundation
import LiushouPlatform
import LiushouPostgres

/// Stored door checks, read under the caller's row-level security. (They are written by
/// `DoorCheckRecorder`.)
struct DoorCheckStore: Sendable {
    /// A person's latest 200 checks, newest first.
    func checks(of person: UUID, in transaction: PostgresTransaction) async throws -> [DoorCheck] {
        guard try await transaction.query("select 1 from person where id = \(person)").first != nil else {
            throw ServiceError.noSuchPerson
        }
        return try await transaction.query(
            """
            select id, person_id, household_id, visitor_name, visitor_role, occurred_at, received_at, channel, kind, outcome, needs, notes
            from door_check where person_id = \(person) order by occurred_at desc limit 200
            """
        ).map { row in
            DoorCheck(
                id: try row.decode("id"),
                personId: try row.decode("person_id"),
                householdId: try row.decode("household_id"),
                visitorName: try row.decode("visitor_name"),
                visitorRole: try row.decode("visitor_role"),
                occurredAt: try row.decode("occurred_at"),
                receivedAt: try row.decode("received_at"),
                channel: try row.decode("channel"),
                kind: try row.decode("kind"),
                outcome: try row.decode("outcome"),
                needs: try row.decode("needs"),
                notes: try row.decode("notes")
            )
        }
    }
}
