import Foundation
import LiushouAccess
import LiushouPostgres

/// Progress notes, stored under the client's id with a hash of their content (a retry is recognised).
extension LegalCaseStore {
    /// Whether the caller sees the case's details (the notes are among them).
    static func hasDetails(_ caseID: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select case_id from legal_case_detail where case_id = \(caseID)").first != nil
    }

    static func note(_ id: UUID, in transaction: PostgresTransaction) async throws -> (note: LegalCase.Note, caseID: UUID, hash: Data)? {
        try await transaction.query("select id, case_id, at, author_name, body, content_hash from legal_case_note where id = \(id)").first.map {
            row in
            (
                LegalCase.Note(
                    id: try row.decode("id"),
                    at: try row.decode("at"),
                    author: try row.decode("author_name"),
                    body: try row.decode("body")
                ),
                try row.decode("case_id"), try row.decode("content_hash")
            )
        }
    }

    static func addNote(
        _ id: UUID,
        case caseID: UUID,
        unit: UUID,
        body: String,
        hash: Data,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws {
        try await transaction.query(
            """
            insert into legal_case_note (id, case_id, unit_id, author_id, author_name, body, content_hash)
            values (\(id), \(caseID), \(unit), \(caller.accountID), \(caller.name), \(body), \(hash))
            """
        )
    }
}
