import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-cases/:id/{decision,review,assignment,first-contact,close}`: the workflow's
/// transitions, each with If-Match (`LegalWorkflow` says which stage each leads to) and an optional
/// Idempotency-Key: a retry under the key is answered with the case, `Idempotent-Replayed: true`.
struct LegalTransitionController: Sendable {
    let database: TenantDatabase
    let transitioner: LegalTransitioner

    @Sendable func decide(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.transition(.decide, request, context: context, caller: caller)
    }

    @Sendable func review(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.transition(.review, request, context: context, caller: caller)
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.transition(.assign, request, context: context, caller: caller)
    }

    @Sendable func firstContact(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.transition(.firstContact, request, context: context, caller: caller)
    }

    @Sendable func close(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        try await self.transition(.close, request, context: context, caller: caller)
    }

    /// The case after the transition, with its ETag.
    private func transition(_ action: LegalAction, _ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let key = request.headers[.idempotencyKey] == nil ? nil : try request.idempotencyKey()
        let input = try await request.decodeJSON(as: LegalTransitionInput.self, context: context)
        let (record, replayed) = try await self.database.transaction(for: caller) { transaction in
            try await self.transitioner.apply(
                action,
                input,
                to: id,
                ifMatch: version,
                idempotencyKey: key,
                caller: caller,
                origin: AuditOrigin(context),
                in: transaction
            )
        }
        var headers: HTTPFields = [.eTag: "\"\(record.version)\""]
        if replayed { headers[.idempotentReplayed] = "true" }
        return try JSONResponse(record, headers: headers)
    }
}
