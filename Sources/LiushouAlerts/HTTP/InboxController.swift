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
        var unread: Bool
        var limit: Int
        /// The next page starts below this time.
        var before: Date?

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: NamedKey.self)
            self.unread = try values.parameter("unread", Bool.init, message: "must be true or false") ?? false
            self.limit = try values.integer("limit", in: 1...100, default: 50)
            self.before = try values.parameter(
                "before",
                Date.init(queryTime:),
                message: "must be an ISO 8601 time such as 2026-11-01T00:00:00+08:00, years 1900 to 2100"
            )
        }
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
        let page = try await self.database.transaction(for: caller) { transaction in
            try await self.store.inbox(unreadOnly: query.unread, limit: query.limit, before: query.before, in: transaction)
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
