import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/cases/{id}/transitions`: one step of the workflow, with If-Match and Idempotency-Key.
/// Any reader may ask; the step's own permission is checked on the case's unit.
struct ReliefTransitionController: Sendable {
    let database: TenantDatabase
    let transitioner: ReliefTransitioner

    /// The case after the step, with its ETag; a retry under the same key answers the first result
    /// with `Idempotent-Replayed: true`.
    @Sendable func transition(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let key = try request.idempotencyKey()
        let version = try request.ifMatchVersion()
        let input = try await request.decodeJSON(as: ReliefTransitionInput.self, context: context)
        let result: ReliefTransitioner.Result
        do {
            result = try await self.database.transaction(for: caller) { transaction in
                try await self.transitioner.apply(
                    input,
                    to: id,
                    ifMatch: version,
                    idempotencyKey: key,
                    caller: caller,
                    origin: AuditOrigin(context),
                    in: transaction
                )
            }
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "relief_case_open" {
            throw ReliefCaseFiling.duplicate(nil)
        }
        var headers: HTTPFields = [.eTag: "\"\(result.reliefCase.version)\""]
        if result.replayed { headers[.idempotentReplayed] = "true" }
        return try JSONResponse(result, headers: headers)
    }
}
