import Foundation
import LiushouPostgres

/// Puts a case's stage on the person's timeline: that a legal-aid case exists and where it stands,
/// never its matter, parties, facts or who handles it.
enum LegalTimeline {
    static func append(case id: UUID, person: UUID, stage: LegalStage, in transaction: PostgresTransaction) async throws {
        // Through a definer function: the office keeps the case's timeline even after the person moved
        // out of its town (the event carries the stage only).
        try await transaction.query("select legal_case_timeline(\(id), \(person), \("法律援助案件：" + stage.chineseName)) as done")
    }
}
