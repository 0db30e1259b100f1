import HTTPTypes
import Hummingbird

/// Refuses a body whose declared `Content-Length` exceeds the context's limit before reading it
/// (413); bodies without a length are capped when a handler collects them.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// A middleware.
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize {
            throw HTTPError(.contentTooLarge)
        }
        return try await next(request, context)
    }
}
