import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-cases/:id/notes`: progress notes of an open case (idempotent by the client's id).
struct LegalNoteController: Sendable {
    let database: TenantDatabase

    struct NoteInput: Codable, Equatable {
        var id: UUID
        var body: String
    }

    /// 201 with a new note, 200 with the stored one for a retry (same id, same content, same case).
    @Sendable func add(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let caseID = try context.uuidParameter("id")
        let input = try await request.decodeJSON(as: NoteInput.self, context: context)
        let body = LegalRules.trimmed(input.body)
        guard (1...4000).contains(body.unicodeScalars.count) else {
            throw Problem.validation([.init(field: "body", message: "write the note (1 to 4000 characters)")])
        }
        let (note, created): (LegalCase.Note, Bool)
        // A concurrent retry that stored it first is answered as a retry.
        (note, created) = try await DuplicateRetry.once(primaryKey: "legal_case_note_pkey", record: "note") {
            try await self.database.transaction(for: caller) { transaction in
                guard let brief = try await LegalCaseStore.brief(caseID, in: transaction),
                    try await LegalCaseStore.hasDetails(caseID, in: transaction)
                else { throw Problem.notFound("No such legal-aid case.") }
                if let stored = try await LegalCaseStore.note(input.id, in: transaction) {
                    guard stored.hash == ContentHash.of(input), stored.caseID == caseID else { throw Problem.idConflict("note") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored.note, false)
                }
                guard caller.holds(.legalAidManage, at: brief.unitPath) else {
                    throw Problem.forbidden("This case is handled above your units.")
                }
                guard ![.closed, .refusalUpheld].contains(brief.stage) else {
                    throw Problem(status: .conflict, code: "case_closed", title: "The case is closed")
                }
                try await LegalCaseStore.addNote(
                    input.id,
                    case: caseID,
                    unit: brief.unitId,
                    body: body,
                    hash: ContentHash.of(input),
                    caller: caller,
                    in: transaction
                )
                guard let saved = try await LegalCaseStore.note(input.id, in: transaction)?.note else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "legal_case.note",
                    resource: "legal_case",
                    recordID: caseID.uuidString.lowercased(),
                    unitID: brief.unitId
                ).append(in: transaction)
                return (saved, true)
            }
        }
        return try JSONResponse(note, status: created ? .created : .ok)
    }
}
