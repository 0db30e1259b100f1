import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import Logging

/// Verifies `Authorization: Bearer <token>` and puts the caller in the context. A request without
/// the header continues anonymously (protected routes then answer 401); a bad token answers 401 at once.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let auth: AuthService

    /// A middleware verifying tokens with `auth`.
    public init(auth: AuthService) {
        self.auth = auth
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            return try await next(request, context)
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw Self.invalid
        }
        guard let caller = try await self.auth.authenticate(token: String(header.dropFirst(7))) else {
            throw Self.invalid
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "account"] = .string(caller.name)
        return try await next(request, context)
    }

    static let invalid = Problem(
        status: .unauthorized, code: "invalid_token", title: "Invalid or expired token",
        detail: "The bearer token is unknown, expired, revoked, or its account is disabled. Log in again."
    )
}
