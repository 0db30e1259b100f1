import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/me/alerts`: the signed-in user's inbox (every user has one).
struct InboxController: Sendable {
    let database: TenantDatabase
    let store: AlertStore

    struct ListQuery: Decodable {
        var unread: Bool?
        var limit: Int?
        /// An ISO 8601 instant: the next page starts below it.
        var before: String?
    }

    struct Read: Encodable {
        var id: UUID
        var readAt: Date
    }

    struct Marked: Encodable {
        var marked: Int
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        let limit = query.limit ?? 50
        guard (1...100).contains(limit) else {
            throw Problem.badRequest("limit must be 1 to 100.", errors: [.init(field: "limit", message: "must be 1 to 100")])
        }
        var before: Date? = nil
        if let text = query.before {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            guard let parsed = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) else {
                throw Problem.badRequest(
                    "before must be an ISO 8601 instant.",
                    errors: [.init(field: "before", message: "must be an ISO 8601 date-time")]
                )
            }
            before = parsed
        }
        let page = try await self.database.transaction(for: caller) { transaction in
            try await self.store.inbox(unreadOnly: query.unread ?? false, limit: limit, before: before, in: transaction)
        }
        return try JSONResponse(page)
    }

    @Sendable func read(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let readAt = try await self.database.transaction(for: caller) { transaction in
            try await self.store.markRead(id, in: transaction)
        }
        guard let readAt else { throw Problem.notFound("No such alert.") }
        return try JSONResponse(Read(id: id, readAt: readAt))
    }

    @Sendable func readAll(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let marked = try await self.database.transaction(for: caller) { transaction in
            try await self.store.markAllRead(in: transaction)
        }
        return try JSONResponse(Marked(marked: marked))
    }
}
