import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-cases/:id/notes`: progress notes of an open case (idempotent by the client's id).
public struct LegalNoteController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct NoteInput: Codable, Equatable {
        var id: UUID
        var body: String
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/legal-cases/:id/notes", .permission(.legalAidManage)) { request, context, caller in
            let caseID = try context.uuidParameter("id")
            let input = try await request.decodeJSON(as: NoteInput.self, context: context)
            let body = LegalRules.trimmed(input.body)
            guard (1...4000).contains(body.count) else {
                throw Problem.validation([.init(field: "body", message: "write the note (1 to 4000 characters)")])
            }
            let (note, created): (LegalCase.Note, Bool)
            do {
                (note, created) = try await self.database.transaction(for: caller) { transaction in
                    guard let brief = try await LegalCaseStore.brief(caseID, in: transaction),
                          try await transaction.query("select case_id from legal_case_detail where case_id = \(caseID)").first != nil
                    else { throw Problem.notFound("No such legal-aid case.") }
                    if let stored = try await Self.find(input.id, in: transaction) {
                        guard stored.hash == ContentHash.of(input), stored.caseID == caseID else { throw Problem.idConflict("note") }
                        return (stored.note, false)
                    }
                    guard caller.holds(.legalAidManage, at: brief.unitPath) else {
                        throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: "This case is handled above your units.")
                    }
                    guard ![.closed, .refusalUpheld].contains(brief.stage) else {
                        throw Problem(status: .conflict, code: "case_closed", title: "The case is closed")
                    }
                    try await transaction.query("""
                        insert into legal_case_note (id, case_id, unit_id, author_id, author_name, body, content_hash)
                        values (\(input.id), \(caseID), \(brief.unitId), \(caller.accountID), \(caller.name), \(body), \(ContentHash.of(input)))
                        """)
                    guard let saved = try await Self.find(input.id, in: transaction)?.note else { throw Problem.internalError }
                    try await AuditEntry(caller: caller, context: context, action: "legal_case.note", resource: "legal_case",
                                         recordID: caseID.uuidString.lowercased(), unitID: brief.unitId).append(in: transaction)
                    return (saved, true)
                }
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "legal_case_note_pkey" {
                // A concurrent retry stored it first, or the id is taken by a note you cannot read.
                note = try await self.database.transaction(for: caller) { transaction in
                    guard let stored = try await Self.find(input.id, in: transaction), stored.hash == ContentHash.of(input), stored.caseID == caseID else {
                        throw Problem.idConflict("note")
                    }
                    return stored.note
                }
                created = false
            }
            return try JSONResponse(note, status: created ? .created : .ok)
        }
    }

    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (note: LegalCase.Note, caseID: UUID, hash: Data)? {
        try await transaction.query("select id, case_id, at, author_name, body, content_hash from legal_case_note where id = \(id)").first.map { row in
            (LegalCase.Note(id: try row.decode("id"), at: try row.decode("at"), author: try row.decode("author_name"), body: try row.decode("body")),
             try row.decode("case_id"), try row.decode("content_hash"))
        }
    }
}
