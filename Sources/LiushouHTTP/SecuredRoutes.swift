import HTTPTypes
import Hummingbird
import LiushouAccess
import Synchronization

/// What a route requires of its caller.
public enum RouteAccess: Sendable, Hashable, CustomStringConvertible {
    /// No authentication (login, health).
    case open
    /// Any authenticated caller, even one whose session still owes its second factor (the second
    /// factor itself, the caller's own account view, logout).
    case session
    /// Any authenticated caller, even one that must change its password (the password change itself).
    case passwordChange
    /// Any authenticated caller that has no pending password change.
    case authenticated
    /// An authenticated caller holding the permission on some unit (handlers then scope the record).
    case permission(Permission)

    public var description: String {
        switch self {
        case .open: return "open"
        case .session: return "authenticated (before the second factor)"
        case .passwordChange: return "authenticated (password change allowed)"
        case .authenticated: return "authenticated"
        case .permission(let permission): return permission.rawValue
        }
    }
}

/// Every route with the access it declared: the source of the permission-matrix document and tests.
public final class RouteCatalog: Sendable {
    /// One declared route.
    public struct Entry: Sendable, Hashable {
        public var method: String
        public var path: String
        public var access: RouteAccess
    }

    private let storage = Mutex<[Entry]>([])

    public init() {}

    /// All declared routes.
    public var entries: [Entry] { self.storage.withLock { $0 } }

    func add(_ entry: Entry) {
        self.storage.withLock { $0.append(entry) }
    }
}

/// Adds routes that declare their access; handlers of protected routes receive the verified `Caller`.
public struct SecuredRoutes {
    /// Called when an authenticated caller is refused a route (to audit the attempt).
    public typealias DenialRecorder = @Sendable (_ caller: Caller, _ method: String, _ path: String, _ context: AppRequestContext) async -> Void

    let router: Router<AppRequestContext>
    let catalog: RouteCatalog
    let recordDenial: DenialRecorder?

    /// Routes on `router`, declared into `catalog`; refusals of authenticated callers go to `recordDenial`.
    public init(router: Router<AppRequestContext>, catalog: RouteCatalog, recordDenial: DenialRecorder? = nil) {
        self.router = router
        self.catalog = catalog
        self.recordDenial = recordDenial
    }

    /// Adds an open route.
    public func open<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method,
        _ path: String,
        bodyLimit: Int? = nil,
        handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output
    ) {
        self.catalog.add(.init(method: method.rawValue, path: path, access: .open))
        self.router.on(RouterPath(path), method: method) { request, context in
            try await Self.limitingBody(of: request, context: context, to: bodyLimit) { context in
                try await handler(request, context).response(from: request, context: context)
            }
        }
    }

    /// Adds a protected route: 401 without a valid token, 403 without the permission. Upload routes
    /// name their `bodyLimit` in bytes (others take `AppRequestContext.defaultMaxBodyBytes`).
    public func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method,
        _ path: String,
        _ access: RouteAccess,
        bodyLimit: Int? = nil,
        handler: @escaping @Sendable (Request, AppRequestContext, Caller) async throws -> Output
    ) {
        self.catalog.add(.init(method: method.rawValue, path: path, access: access))
        let recordDenial = self.recordDenial
        self.router.on(RouterPath(path), method: method) { request, context in
            try await Self.limitingBody(of: request, context: context, to: bodyLimit) { context in
                let caller: Caller
                do {
                    caller = try Self.authorize(context.caller, for: access)
                } catch {
                    if let refused = context.caller, let recordDenial {
                        await recordDenial(refused, method.rawValue, path, context)
                    }
                    throw error
                }
                return try await handler(request, context, caller).response(from: request, context: context)
            }
        }
    }

    /// Runs a handler with the route's body limit: a declared `Content-Length` over it answers 413
    /// before the body is read; a body without one is cut when the handler collects it, also 413.
    /// Both name the route's limit.
    static func limitingBody(
        of request: Request,
        context: AppRequestContext,
        to bodyLimit: Int?,
        _ handler: (AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let bodyLimit { context.maxUploadSize = bodyLimit }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > context.maxUploadSize {
            throw Problem.payloadTooLarge(limit: context.maxUploadSize)
        }
        do {
            return try await handler(context)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.payloadTooLarge(limit: context.maxUploadSize)
        }
    }

    /// Checks a caller against a route's access.
    public static func authorize(_ caller: Caller?, for access: RouteAccess) throws -> Caller {
        guard let caller else {
            throw Problem(
                status: .unauthorized,
                code: "unauthenticated",
                title: "Authentication required",
                detail: "Send a valid bearer token in the Authorization header."
            )
        }
        switch access {
        case .open, .session:
            return caller
        case .passwordChange, .authenticated, .permission:
            if let due = caller.secondFactorDue {
                throw due == .code
                    ? Problem(
                        status: .forbidden,
                        code: "second_factor_required",
                        title: "Second factor required",
                        detail: "Enter the code of your authenticator app with POST /v1/auth/two-factor/verify first."
                    )
                    : Problem(
                        status: .forbidden,
                        code: "second_factor_enrolment_required",
                        title: "Two-factor enrolment required",
                        detail: "Your role requires an authenticator app: enrol with POST /v1/auth/two-factor/enrol first."
                    )
            }
            if case .passwordChange = access { return caller }
            if caller.mustChangePassword {
                throw Problem(
                    status: .forbidden,
                    code: "password_change_required",
                    title: "Password change required",
                    detail: "Choose a new password with POST /v1/auth/password first."
                )
            }
            if case .permission(let permission) = access, !caller.holds(permission) {
                throw Problem.forbidden("Your roles do not allow \(permission.rawValue).")
            }
            return caller
        }
    }
}
