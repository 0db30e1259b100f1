import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/family-contacts`, `/v1/schools/:id/five-ones`: the family-contact log (亲情电话, video, letters,
/// the parents' contacts with teachers, home visits, the school's monthly feedback) and the "五个一"
/// counted per child per month.
struct FamilyContactController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// Logs a contact of a child on the caller's roll; a retry with the same id and content answers the stored contact.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: FamilyContactInput.self, context: context)
        var errors: [Problem.FieldError] = []
        SchoolRules.date(input.occurredOn, "occurredOn", today: self.clock.today(), into: &errors)
        SchoolRules.text(input.notes, "notes", max: 1000, into: &errors)
        let (contact, created) = try await RollRecords.create(
            input,
            record: "family contact",
            primaryKey: "family_contact_pkey",
            errors: errors,
            timeline: nil,
            database: self.database,
            caller: caller,
            stored: { try await FamilyContactStore.find(input.id, in: $0).map { ($0.contact, $0.hash) } },
            insert: { try await FamilyContactStore.insert(input, membership: $0, caller: caller, in: $1) }
        )
        return try JSONResponse(contact, status: created ? .created : .ok)
    }

    @Sendable func fiveOnes(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let month = try await RollRecords.month(request, context, caller, database: self.database, today: self.clock.today()) {
            try await FamilyContactStore.fiveOnes($0, month: $1.start, next: $1.next, in: $2)
        }
        return try JSONResponse(month)
    }
}
