import Foundation
import Hummingbird

/// Refuses a query parameter holding a character PostgreSQL cannot store in text (`%00`) with a 400
/// naming the parameter, once for every route, before any handler turns it into SQL.
public struct QueryTextMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Byte by byte: Foundation's substring search compares composed sequences and passes over
        // `%00` followed by a combining mark.
        if let query = request.uri.query, query.utf8.firstRange(of: "%00".utf8) != nil {
            for (name, value) in request.uri.queryParameters where name.utf8.contains(0) || value.utf8.contains(0) {
                let field = name.unicodeScalars.map { $0 == "\u{0}" ? "\\u0000" : String($0) }.joined()
                throw Problem.badRequest(
                    "Query parameter \(field) holds the NUL character.",
                    errors: [.init(field: field, message: "must not contain the NUL character")]
                )
            }
        }
        return try await next(request, context)
    }
}
