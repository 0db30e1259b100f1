import HTTPTypes
import Hummingbird

/// Answers of the API are never stored by a browser or a proxy (`Cache-Control: no-store`, unless
/// the handler chose otherwise) and never sniffed as another type: a CSV of people opened through a
/// download link on a shared desk would otherwise stay in that browser's cache after logout.
public struct APIHeadersMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard request.uri.path.hasPrefix("/v1/") else { return response }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        response.headers[.contentTypeOptions] = "nosniff"
        return response
    }
}

extension HTTPField.Name {
    /// `X-Content-Type-Options`.
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
