import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/alert-deliveries`: the outside deliveries of the events in the caller's units — above all the
/// dead letters (given up after the last try), which an administrator can send again.
struct AlertDeliveryController: Sendable {
    let database: TenantDatabase
    let store: AlertStore

    struct ListQuery: Decodable {
        var status: String?
        var limit: Int?
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        let status = query.status ?? "dead"
        let limit = query.limit ?? 100
        var errors: [Problem.FieldError] = []
        if !["dead", "pending", "sent"].contains(status) { errors.append(.init(field: "status", message: "must be dead, pending or sent")) }
        if !(1...500).contains(limit) { errors.append(.init(field: "limit", message: "must be 1 to 500")) }
        guard errors.isEmpty else { throw Problem.badRequest("The query is not valid.", errors: errors) }
        let items = try await self.database.transaction(for: caller) { try await self.store.deliveries(status: status, limit: limit, in: $0) }
        return try JSONResponse(Items(items: items))
    }

    @Sendable func retry(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let delivery = try await self.database.transaction(for: caller) { transaction in
            guard let (delivery, retried) = try await self.store.retry(id, in: transaction) else { throw Problem.notFound("No such delivery.") }
            guard retried else {
                throw Problem(
                    status: .conflict,
                    code: "not_dead",
                    title: "Only a dead delivery is sent again",
                    detail: "This delivery is \(delivery.status)."
                )
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "alerts.delivery_retry",
                resource: "alert_delivery",
                recordID: id.uuidString.lowercased()
            ).append(in: transaction)
            return delivery
        }
        return try JSONResponse(delivery)
    }
}
