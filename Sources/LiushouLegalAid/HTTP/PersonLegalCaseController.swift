import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/persons/:id/legal-cases`: that a person has legal-aid cases and their stages, for everyone
/// who may see the person (no details).
struct PersonLegalCaseController: Sendable {
    let database: TenantDatabase

    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let person = try context.uuidParameter("id")
        let items = try await self.database.transaction(for: caller) { transaction in
            try await LegalCaseStore.existence(person: person, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }
}
