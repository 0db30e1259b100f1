import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP

/// `/v1/auth/login`, `/v1/auth/logout`, `/v1/auth/me`.
struct AuthController: Sendable {
    let auth: AuthService
    let twoFactor: TwoFactorService

    /// Sign-in and sign-out through `auth`; `me` also reports the second-factor state `twoFactor` keeps.
    init(auth: AuthService, twoFactor: TwoFactorService) {
        self.auth = auth
        self.twoFactor = twoFactor
    }

    struct LoginRequest: Decodable {
        var username: String
        var password: String
        /// A browser's login: the token goes into an HttpOnly cookie, never into the body.
        var cookie: Bool?
    }

    /// A browser session: what the page needs, without the token.
    struct CookieSession: Encodable {
        var expiresAt: Date
        var idleTimeoutSeconds: Int
        var mustChangePassword: Bool
        var secondFactor: String?
        var csrfToken: String
    }

    struct PasswordChange: Decodable {
        var currentPassword: String
        var newPassword: String
    }

    struct Me: ResponseEncodable {
        struct GrantView: Encodable {
            var role: String
            var unitId: UUID
            var unitPath: String
        }

        var accountId: UUID
        var username: String
        var kind: String
        var mustChangePassword: Bool
        /// `pending` (a code is due), `enrol` (enrolment is due), `verified` or `none`.
        var secondFactor: String
        var twoFactorEnrolled: Bool
        var twoFactorRequired: Bool
        var grants: [GrantView]
        var permissions: [String]
    }

    /// A browser's login (`cookie: true`, same origin only) gets the token in an HttpOnly cookie and a
    /// CSRF token in the body; any other client gets the token in the body.
    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: LoginRequest.self, context: context)
        var problems: [Problem.FieldError] = []
        if body.username.isEmpty || body.username.count > 64 {
            problems.append(.init(field: "username", message: "must have 1 to 64 characters"))
        }
        if body.password.isEmpty || body.password.count > 128 {
            problems.append(.init(field: "password", message: "must have 1 to 128 characters"))
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        if body.cookie == true {
            try WebSessionCookie.checkSameOriginLogin(request)
        }
        let session = try await self.auth.login(username: body.username, password: body.password, context: context)
        guard body.cookie == true else {
            return try JSONResponse(session, status: .ok)
        }
        var headers = HTTPFields()
        let maxAge = max(0, Int(session.expiresAt.timeIntervalSinceNow.rounded(.down)))
        for cookie in WebSessionCookie.open(token: session.token, maxAge: maxAge, request: request) {
            headers.append(HTTPField(name: .setCookie, value: cookie))
        }
        headers[.cacheControl] = "no-store"
        let view = CookieSession(
            expiresAt: session.expiresAt,
            idleTimeoutSeconds: session.idleTimeoutSeconds,
            mustChangePassword: session.mustChangePassword,
            secondFactor: session.secondFactor,
            csrfToken: WebSessionCookie.csrfToken(for: session.token)
        )
        return try JSONResponse(view, status: .ok, headers: headers)
    }

    /// Ends the caller's session, and clears the browser's cookies when it came with them.
    @Sendable func logout(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Response {
        try await self.auth.logout(caller, context: context)
        var headers = HTTPFields()
        if WebSessionCookie.token(in: request) != nil {
            for cookie in WebSessionCookie.clear(request: request) {
                headers.append(HTTPField(name: .setCookie, value: cookie))
            }
        }
        return Response(status: .noContent, headers: headers)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Response {
        let body = try await request.decodeJSON(as: PasswordChange.self, context: context)
        try await self.auth.changePassword(caller, current: body.currentPassword, new: body.newPassword, context: context)
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> Me {
        let state = caller.kind == .user ? try await self.twoFactor.state(of: caller) : (enrolled: false, required: false)
        return Me(
            accountId: caller.accountID,
            username: caller.name,
            kind: caller.kind.rawValue,
            mustChangePassword: caller.mustChangePassword,
            secondFactor: caller.secondFactorDue?.rawValue ?? (state.enrolled ? "verified" : "none"),
            twoFactorEnrolled: state.enrolled,
            twoFactorRequired: state.required,
            grants: caller.grants.map { .init(role: $0.role.rawValue, unitId: $0.unitID, unitPath: $0.unitPath) },
            permissions: Permission.allCases.filter { caller.holds($0) }.map(\.rawValue)
        )
    }
}
