import HTTPTypes
import Hummingbird

/// Raises the body limit for paths starting with a prefix. Routes now declare their own limit
/// (`SecuredRoutes.on(…, bodyLimit:)`), which also checks it; this remains for routes that do not yet.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let uploadLimits: [(prefix: String, bytes: Int)]

    public init(uploadLimits: [(prefix: String, bytes: Int)] = []) {
        self.uploadLimits = uploadLimits
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let limit = self.uploadLimits.first(where: { request.uri.path.hasPrefix($0.prefix) }) {
            context.maxUploadSize = limit.bytes
        }
        return try await next(request, context)
    }
}
