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

    struct Month: Encodable {
        var schoolId: UUID
        var month: String
        var items: [FiveOnes]
    }

    func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/family-contacts", .permission(.schoolsCare), handler: self.create)
        routes.on(.get, "/v1/schools/:id/five-ones", .permission(.schoolsRead), handler: self.fiveOnes)
    }

    /// Logs a contact of a child on the caller's roll; a retry with the same id and content answers the stored contact.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: FamilyContactInput.self, context: context)
        let today = self.clock.today()
        let (contact, created) = try await DuplicateRetry.create(
            record: "family contact",
            primaryKey: "family_contact_pkey",
            uniqueProblems: SchoolConstraints.problems,
            hash: ContentHash.of(input),
            database: self.database,
            caller: caller,
            stored: { try await FamilyContactStore.find(input.id, in: $0).map { ($0.contact, $0.hash) } },
            write: { transaction in
                var errors: [Problem.FieldError] = []
                SchoolRules.date(input.occurredOn, "occurredOn", today: today, into: &errors)
                SchoolRules.text(input.notes, "notes", max: 1000, into: &errors)
                let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                if membership == nil { errors.append(.init(field: "personId", message: "is not on your school's roll")) }
                guard errors.isEmpty, let membership else { throw Problem.validation(errors) }
                try await FamilyContactStore.insert(input, membership: membership, caller: caller, in: transaction)
                guard let stored = try await FamilyContactStore.find(input.id, in: transaction) else { throw Problem.internalError }
                return stored.contact
            }
        )
        return try JSONResponse(contact, status: created ? .created : .ok)
    }

    @Sendable func fiveOnes(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let month = try MonthParameter.of(request, context: context, today: self.clock.today())
        let items = try await self.database.transaction(for: caller) { transaction in
            _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
            return try await FamilyContactStore.fiveOnes(id, month: month.start, next: month.next, in: transaction)
        }
        return try JSONResponse(Month(schoolId: id, month: month.text, items: items))
    }
}
