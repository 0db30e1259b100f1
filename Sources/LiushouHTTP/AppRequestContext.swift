import Foundation
import Hummingbird
import LiushouAccess
import Logging

/// The request context of every route: Hummingbird's core storage plus the request id.
public struct AppRequestContext: RequestContext {
    /// The largest request body accepted by default (2 MiB); larger bodies answer 413.
    public static let defaultMaxBodyBytes = 2 * 1024 * 1024

    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The id of this request, echoed as `X-Request-Id`; set by `RequestIDMiddleware`.
    public var requestID: String
    /// The authenticated account, once the authentication middleware has verified a bearer token.
    public var caller: Caller?
    /// The client's IP address (audit log, login throttling); behind trusted proxies, from `X-Forwarded-For`.
    public var clientAddress: String?

    /// The largest body a handler may collect (upload routes declare theirs with `SecuredRoutes.on(…, bodyLimit:)`).
    public var maxUploadSize: Int = Self.defaultMaxBodyBytes

    /// JSON bodies, checked (`CheckedJSONRequestDecoder`).
    public var requestDecoder: CheckedJSONRequestDecoder { CheckedJSONRequestDecoder() }

    /// JSON answers as `JSONResponse` writes them: ISO 8601 dates, sorted keys.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.requestID = ""
        self.caller = nil
        self.clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
