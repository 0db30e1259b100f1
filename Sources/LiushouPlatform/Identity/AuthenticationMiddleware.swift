import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import Logging

/// Verifies `Authorization: Bearer <token>`, or else a browser's session cookie, and puts the caller
/// in the context. A request with neither continues anonymously (protected routes then answer 401);
/// a bad bearer token answers 401 at once, a dead cookie counts as none; a cookie session's unsafe
/// request without its CSRF value answers 403.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let auth: AuthService

    /// A middleware verifying tokens with `auth`.
    public init(auth: AuthService) {
        self.auth = auth
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            guard let token = WebSessionCookie.token(in: request) else {
                return try await next(request, context)
            }
            return try await self.continueWithCookie(token: token, request: request, context: context, next: next)
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

    func continueWithCookie(
        token: String,
        request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // Logging in again over a dead cookie must work, and the login route reads no cookie.
        if request.uri.path == "/v1/auth/login" {
            return try await next(request, context)
        }
        // A dead cookie (expired, logged out elsewhere) is no credential at all: open routes still
        // answer, protected ones say 401 (so the page asks for a login, not for a CSRF value).
        guard let caller = try await self.auth.authenticate(token: token) else {
            return try await next(request, context)
        }
        if WebSessionCookie.isUnsafe(request.method),
            request.headers[WebSessionCookie.csrfHeader] != WebSessionCookie.csrfToken(for: token)
        {
            throw Self.csrfFailed
        }
        var context = context
        context.caller = caller
        context.logger[metadataKey: "account"] = .string(caller.name)
        return try await next(request, context)
    }

    static let csrfFailed = Problem(
        status: .forbidden,
        code: "csrf_failed",
        title: "Missing or wrong CSRF token",
        detail: "A request with a session cookie that changes data must send the session's X-CSRF-Token header."
    )

    static let invalid = Problem(
        status: .unauthorized,
        code: "invalid_token",
        title: "Invalid or expired token",
        detail: "The bearer token is unknown, expired, revoked, or its account is disabled. Log in again."
    )
}
