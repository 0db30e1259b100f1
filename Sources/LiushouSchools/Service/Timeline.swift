import Foundation
import LiushouAccess
import LiushouPostgres

/// Adds events to a child's timeline (`person_event`, module `schools`).
enum Timeline {
    static func add(_ person: UUID, kind: String, summary: String, caller: Caller, record: UUID, in transaction: PostgresTransaction) async throws {
        try await transaction.query("""
            insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
            values (\(UUID()), \(person), 'schools', \(kind), \(summary), \(caller.name), \(record.uuidString.lowercased()))
            """)
    }
}
