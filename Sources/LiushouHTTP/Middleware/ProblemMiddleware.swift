import HTTPTypes
import Hummingbird
import LiushouPostgres
import Logging

/// Turns every error into an RFC 9457 problem response. A database out of service becomes 503 with
/// `Retry-After` (field phones retry on exactly that); unknown errors become a bare 500 and are
/// logged with the request id; their text never reaches the client.
public struct ProblemMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = Self.problem(for: error)
            // The web clients ask for Chinese; API clients that name no language keep the rules' English.
            if FieldMessages.asksForChinese(request) { problem = problem.localized(for: request) }
            if let database = error as? DatabaseError, database.isUnavailable {
                context.logger.warning("database unavailable", metadata: ["error": .string(database.redactedDescription)])
            } else if let database = error as? DatabaseError, database.isRetryable {
                context.logger.warning("concurrent write refused", metadata: ["error": .string(database.redactedDescription)])
            } else if problem.status == .internalServerError {
                let described = DatabaseError.loggable(error)
                context.logger.error("request failed", metadata: ["error.type": "\(type(of: error))", "error": .string(described)])
            }
            return problem.response(path: request.uri.path, requestID: context.requestID)
        }
    }

    /// Maps an error to the problem the client sees.
    static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let convertible as any ProblemConvertible:
            return convertible.problem
        case let database as DatabaseError where database.isUnavailable:
            return .serviceUnavailable()
        case let database as DatabaseError where database.isRetryable:
            return .concurrentWrite()
        case let decoding as DecodingError:
            return RequestDecodingFailure.problem(for: decoding)
        case let form as URLEncodedFormError:
            // A query string the typed decoder cannot read (a key sent twice, broken percent-encoding):
            // the client's mistake. The offending text is not echoed, only a key sent twice is named.
            if form.code == .duplicateKeys {
                return .badRequest(
                    "The query names \(form.value) more than once.",
                    errors: [.init(field: form.value, message: "must be sent once")]
                )
            }
            return .badRequest("The query string cannot be read.")
        case let http as HTTPError:
            return Self.problem(forStatus: http.status, message: http.body)
        case let http as any HTTPResponseError:
            return Self.problem(forStatus: http.status, message: nil)
        default:
            return .internalError
        }
    }

    private static func problem(forStatus status: HTTPResponse.Status, message: String?) -> Problem {
        switch status {
        case .notFound:
            return .notFound("No route or resource matches this path.")
        case .contentTooLarge:
            // Routes name their own limits (`SecuredRoutes`); what reaches here had the default.
            return .payloadTooLarge(limit: AppRequestContext.defaultMaxBodyBytes)
        case .methodNotAllowed:
            return Problem(status: status, code: "method_not_allowed", title: "Method not allowed")
        case .unauthorized:
            return Problem(status: status, code: "unauthenticated", title: "Authentication required", detail: message)
        case .forbidden:
            return Problem(status: status, code: "forbidden", title: "Not allowed", detail: message)
        case .badRequest:
            return .badRequest(message ?? "The request is malformed.")
        default:
            if status.code >= 500 { return .internalError }
            return Problem(status: status, code: "http_\(status.code)", title: status.reasonPhrase, detail: message)
        }
    }
}
