import Foundation
import LiushouAccess
import LiushouPostgres

/// Entries on the person's timeline. They name the step only: no type, amount or reason, since
/// everyone who sees the person (teachers, volunteers) reads the timeline.
enum ReliefTimeline {
    static func add(person: UUID, kind: String, summary: String, caller: Caller, caseID: UUID, in transaction: PostgresTransaction) async throws {
        try await transaction.query("""
            insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
            values (\(UUID()), \(person), 'relief', \(kind), \(summary), \(caller.name), \(caseID.uuidString.lowercased()))
            """)
    }
}
