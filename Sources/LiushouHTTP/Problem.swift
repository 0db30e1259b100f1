import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An RFC 9457 problem document with a stable machine `code`; thrown by handlers, rendered as
/// `application/problem+json`.
public struct Problem: Error, Sendable, Equatable {
    /// One field-level problem of a request body or query.
    public struct FieldError: Codable, Sendable, Equatable {
        /// The field's path, e.g. `members[2].idNumber`.
        public var field: String
        /// What is wrong with it, for people.
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Stable machine-readable code (`validation_failed`, `not_found`, …).
    public var code: String
    /// Short summary for people.
    public var title: String
    /// This occurrence, for people; never internal messages.
    public var detail: String?
    /// Field-level problems.
    public var errors: [FieldError]
    /// RFC 9457 extension members, e.g. `existingCaseId` pointing at the record a request clashed with.
    public var extensions: [String: String]
    /// Seconds after which a retry may succeed, sent as `Retry-After`.
    public var retryAfterSeconds: Int?

    public init(
        status: HTTPResponse.Status,
        code: String,
        title: String,
        detail: String? = nil,
        errors: [FieldError] = [],
        extensions: [String: String] = [:],
        retryAfterSeconds: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.extensions = extensions
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// 400 for a body or parameter that cannot be read at all.
    public static func badRequest(_ detail: String, errors: [FieldError] = []) -> Problem {
        Problem(status: .badRequest, code: "bad_request", title: "The request cannot be read", detail: detail, errors: errors)
    }

    /// 422 for well-formed input that breaks a rule; name every field.
    public static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            status: .unprocessableContent,
            code: "validation_failed",
            title: "Some fields are invalid",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "),
            errors: errors
        )
    }

    /// 403 for a caller whose roles do not reach this record; `detail` says who may.
    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: detail)
    }

    /// 404, also used for records of other tenants so their existence does not leak.
    public static func notFound(_ detail: String = "No such resource.") -> Problem {
        Problem(status: .notFound, code: "not_found", title: "Not found", detail: detail)
    }

    /// 404 for a person the caller cannot see (missing or another tenant's: the answers are the same).
    public static let noSuchPerson = Problem.notFound("No such person.")

    /// 404 for a unit the caller cannot see.
    public static let noSuchUnit = Problem.notFound("No such unit.")

    /// 412 for a write whose If-Match version is no longer current (nothing was changed).
    public static func versionMismatch(_ record: String, current: Int) -> Problem {
        Problem(
            status: .preconditionFailed,
            code: "version_mismatch",
            title: "The \(record) changed since you read it",
            detail: "Current version is \(current); read it again and retry."
        )
    }

    /// 409 for a client-chosen id that already names a record with other content.
    public static func idConflict(_ record: String) -> Problem {
        Problem(
            status: .conflict,
            code: "id_conflict",
            title: "A different \(record) has this id",
            detail: "Retry with the same content, or use a new id."
        )
    }

    /// 413 for a body over the route's limit, naming that limit.
    public static func payloadTooLarge(limit: Int) -> Problem {
        let mebibytes = Double(limit) / 1_048_576
        let readable =
            mebibytes >= 1 ? "\(mebibytes.rounded() == mebibytes ? String(Int(mebibytes)) : String(format: "%.1f", mebibytes)) MiB" : "\(limit) bytes"
        return Problem(
            status: .contentTooLarge,
            code: "payload_too_large",
            title: "Request body too large",
            detail: "The body exceeds this route's limit of \(readable) (\(limit) bytes).",
            extensions: ["limitBytes": String(limit)]
        )
    }

    /// 500 with nothing internal in it.
    public static let internalError = Problem(
        status: .internalServerError,
        code: "internal_error",
        title: "Internal server error",
        detail: "The server could not complete the request. Quote the request id when reporting it."
    )

    /// 503 while the database is out of service (down, restarting, hung, full): nothing was changed
    /// unless a retry with the same client id answers `duplicate`.
    public static func serviceUnavailable(retryAfterSeconds: Int = 5) -> Problem {
        Problem(
            status: .serviceUnavailable,
            code: "service_unavailable",
            title: "Service temporarily unavailable",
            detail: "The database is not answering. Retry the same request (with the same id) later.",
            retryAfterSeconds: retryAfterSeconds
        )
    }

    /// 503 for a transaction the database chose as a deadlock victim or could not serialize: nothing
    /// of it was written, and the same request sent again succeeds once the other one is done.
    public static func concurrentWrite(retryAfterSeconds: Int = 1) -> Problem {
        Problem(
            status: .serviceUnavailable,
            code: "concurrent_write",
            title: "Met a concurrent change",
            detail: "Another change to the same records ran at the same moment; nothing was written. Retry the same request.",
            retryAfterSeconds: retryAfterSeconds
        )
    }

    struct Document: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var code: String
        var requestId: String?
        var errors: [FieldError]?
        var extensions: [String: String]

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ string: String) { self.stringValue = string }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            // Extension members never replace the standard ones.
            for (name, value) in self.extensions
            where !["type", "title", "status", "detail", "instance", "code", "requestId", "errors"].contains(name) {
                try container.encode(value, forKey: Key(name))
            }
            try container.encode(self.type, forKey: Key("type"))
            try container.encode(self.title, forKey: Key("title"))
            try container.encode(self.status, forKey: Key("status"))
            try container.encodeIfPresent(self.detail, forKey: Key("detail"))
            try container.encodeIfPresent(self.instance, forKey: Key("instance"))
            try container.encode(self.code, forKey: Key("code"))
            try container.encodeIfPresent(self.requestId, forKey: Key("requestId"))
            try container.encodeIfPresent(self.errors, forKey: Key("errors"))
        }
    }

    /// Renders the problem for a request.
    public func response(path: String?, requestID: String?) -> Response {
        let document = Document(
            type: "https://liushou.example/problems/\(self.code.replacingOccurrences(of: "_", with: "-"))",
            title: self.title,
            status: self.status.code,
            detail: self.detail,
            instance: path,
            code: self.code,
            requestId: requestID,
            errors: self.errors.isEmpty ? nil : self.errors,
            extensions: self.extensions
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data(#"{"code":"internal_error","status":500}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfterSeconds = self.retryAfterSeconds {
            headers[.retryAfter] = String(retryAfterSeconds)
        }
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A `Problem` renders itself wherever Hummingbird meets it (a middleware outside
/// `ProblemMiddleware`, a route built without it), not only through `ProblemMiddleware`.
extension Problem: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        self.response(path: request.uri.path, requestID: (context as? AppRequestContext)?.requestID)
    }
}

/// An error that knows the problem a client should see: domain errors thrown below the HTTP layer
/// (`ServiceError`) render through this one mapping, whichever middleware meets them.
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}
