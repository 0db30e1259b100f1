import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/persons/:id/legal-cases`: that a person has legal-aid cases and their stages, for everyone
/// who may see the person (no details).
public struct PersonLegalCaseController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [LegalCaseExistence]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/persons/:id/legal-cases", .permission(.personsRead)) { _, context, caller in
            let person = try context.uuidParameter("id")
            let items = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select id from person where id = \(person)").first != nil else {
                    throw Problem.notFound("No such person.")
                }
                return try await transaction.query("""
                    select id, stage, opened_at from legal_case where person_id = \(person) order by opened_at desc, id limit 100
                    """).map { row in
                    let stage = LegalStage(rawValue: try row.decode("stage")) ?? .intake
                    return LegalCaseExistence(id: try row.decode("id"), stage: stage, stageName: stage.chineseName, openedAt: try row.decode("opened_at"))
                }
            }
            return try JSONResponse(Items(items: items))
        }
    }
}
