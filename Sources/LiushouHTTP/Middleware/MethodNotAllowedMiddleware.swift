import HTTPTypes
import Hummingbird

/// Answers 405 with `Allow` (RFC 9110 §15.5.6) when no route matches a request's method but routes
/// exist for its path with other methods; paths nobody declared stay 404. The declared routes come
/// from the `RouteCatalog` the `SecuredRoutes` fill.
public struct MethodNotAllowedMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let catalog: RouteCatalog

    public init(catalog: RouteCatalog) {
        self.catalog = catalog
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = Self.methods(for: request.uri.path, in: self.catalog.entries)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            let problem = Problem(
                status: .methodNotAllowed,
                code: "method_not_allowed",
                title: "Method not allowed",
                detail: "\(request.method.rawValue) is not supported here; use \(allowed.joined(separator: ", "))."
            )
            var response = problem.response(path: request.uri.path, requestID: context.requestID)
            response.headers[.allow] = allowed.joined(separator: ", ")
            return response
        }
    }

    /// The methods declared for routes whose pattern matches `path` (`:name` matches one segment,
    /// `*` one segment, `**` the rest), in a stable order.
    static func methods(for path: String, in entries: [RouteCatalog.Entry]) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<String>()
        for entry in entries where Self.matches(entry.path.split(separator: "/", omittingEmptySubsequences: true), segments) {
            methods.insert(entry.method)
        }
        return methods.sorted()
    }

    static func matches(_ pattern: [Substring], _ segments: [Substring]) -> Bool {
        for (index, part) in pattern.enumerated() {
            if part == "**" { return true }
            guard index < segments.count else { return false }
            if part == "*" || part.hasPrefix(":") || part.hasPrefix("{") { continue }
            if part != segments[index] { return false }
        }
        return pattern.count == segments.count
    }
}
