import Foundation
import Hummingbird

/// Refuses a query parameter holding a character PostgreSQL cannot store in text (`%00`) with a 400
/// naming the parameter, once for every route, before any handler turns it into SQL.
public struct QueryTextMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.query?.contains("%00") == true {
            for (name, value) in request.uri.queryParameters where name.contains("\u{0}") || value.contains("\u{0}") {
                let field = String(name).replacingOccurrences(of: "\u{0}", with: "\\u0000")
                throw Problem.badRequest(
                    "Query parameter \(field) holds the NUL character.",
                    errors: [.init(field: field, message: "must not contain the NUL character")]
                )
            }
        }
        return try await next(request, context)
    }
}
