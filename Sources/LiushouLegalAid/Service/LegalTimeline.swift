import Foundation
import LiushouPostgres

/// Puts a case's stage on the person's timeline: that a legal-aid case exists and where it stands,
/// never its matter, parties, facts or who handles it.
enum LegalTimeline {
    static func append(case id: UUID, person: UUID, stage: LegalStage, in transaction: PostgresTransaction) async throws {
        try await transaction.query("""
            insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
            values (\(UUID()), \(person), 'legal_aid', 'legal_case.stage', \("法律援助案件：" + stage.chineseName), '司法所',
                \(id.uuidString.lowercased()))
            """)
    }
}
