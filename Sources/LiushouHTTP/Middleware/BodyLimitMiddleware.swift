import HTTPTypes
import Hummingbird

/// Refuses a body whose declared `Content-Length` exceeds the route's limit before reading it (413
/// naming that limit); bodies without a length are capped when a handler collects them.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Larger limits for upload routes, by path prefix (e.g. ledger imports).
    let uploadLimits: [(prefix: String, bytes: Int)]

    /// A middleware; `uploadLimits` raise the limit for paths starting with a prefix.
    public init(uploadLimits: [(prefix: String, bytes: Int)] = []) {
        self.uploadLimits = uploadLimits
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let limit = self.uploadLimits.first(where: { request.uri.path.hasPrefix($0.prefix) }) {
            context.maxUploadSize = limit.bytes
        }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize {
            throw Problem.payloadTooLarge(limit: context.maxUploadSize)
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            // A body without a declared length, over the limit when the handler collected it.
            throw Problem.payloadTooLarge(limit: context.maxUploadSize)
        }
    }
}
