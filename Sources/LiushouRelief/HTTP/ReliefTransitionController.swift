import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/cases/{id}/transitions`: one step of the workflow, with If-Match and Idempotency-Key.
public struct ReliefTransitionController: Sendable {
    let database: TenantDatabase
    let transitioner: ReliefTransitioner

    /// A controller.
    public init(database: TenantDatabase, transitioner: ReliefTransitioner = ReliefTransitioner()) {
        self.database = database
        self.transitioner = transitioner
    }

    /// Adds the route. Any reader may ask; the step's own permission is checked on the case's unit.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/relief/cases/:id/transitions", .permission(.reliefRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            guard let key = request.headers[.idempotencyKey]?.trimmingCharacters(in: .whitespaces), (1...200).contains(key.count) else {
                throw Problem.badRequest("Send an Idempotency-Key header (1 to 200 characters) so a retried step is never applied twice.",
                                         errors: [.init(field: "Idempotency-Key", message: "is required")])
            }
            let version = try request.ifMatchVersion()
            let input = try await request.decodeJSON(as: ReliefTransitionInput.self, context: context)
            let result: ReliefTransitioner.Result
            do {
                result = try await self.database.transaction(for: caller) { transaction in
                    try await self.transitioner.apply(input, to: id, ifMatch: version, idempotencyKey: key, caller: caller,
                                                      origin: AuditOrigin(context), in: transaction)
                }
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "relief_case_open" {
                throw ReliefCaseFiling.duplicate(nil)
            }
            var headers: HTTPFields = [.eTag: "\"\(result.reliefCase.version)\""]
            if result.replayed { headers[.idempotentReplayed] = "true" }
            return try JSONResponse(result, headers: headers)
        }
    }
}
