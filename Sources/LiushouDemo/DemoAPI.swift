import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP
import Logging
import NIOCore
import NIOEmbedded

/// Sends requests to the server's own router in process: every seeded record goes through the
/// routes, middleware, services, row-level security and audit a real client's request would.
public struct DemoAPI: Sendable {
    let responder: any HTTPResponder<AppRequestContext>
    let logger: Logger
    /// The connection the requests claim to arrive on (none: no address, nothing sent).
    let channel = NIOAsyncTestingChannel()

    /// A client of `responder` (the production router's, built on the application role's pool).
    public init(responder: any HTTPResponder<AppRequestContext>, logger: Logger) {
        self.responder = responder
        self.logger = logger
    }

    /// One request; `json` is serialised as the body.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        json: Any? = nil,
        token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> DemoResponse {
        try await self.send(method, path, body: try json.map { try JSONSerialization.data(withJSONObject: $0) }, token: token, headers: extra)
    }

    /// One request with a body already serialised.
    func send(
        _ method: HTTPRequest.Method,
        _ path: String,
        body: Data?,
        token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> DemoResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer = ByteBuffer()
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: body)
            headers[.contentLength] = String(buffer.readableBytes)
        }
        let request = Request(
            head: HTTPRequest(method: method, scheme: "http", authority: "localhost", path: path, headerFields: headers),
            body: RequestBody(buffer: buffer)
        )
        let context = AppRequestContext(source: ApplicationRequestContextSource(channel: self.channel, logger: self.logger))
        let response = try await self.responder.respond(to: request, context: context)
        let collector = BodyCollector()
        try await response.body.write(collector)
        return DemoResponse(status: response.status, body: collector.data())
    }

    /// Sends and insists on a 2xx answer; returns the JSON object.
    @discardableResult
    func expect(
        _ method: HTTPRequest.Method,
        _ path: String,
        json: Any? = nil,
        token: String,
        headers: HTTPFields = [:]
    ) async throws -> [String: Any] {
        let response = try await self.send(method, path, json: json, token: token, headers: headers)
        guard (200..<300).contains(response.status.code) else {
            throw DemoError.refused(
                "\(method.rawValue) \(path) answered \(response.status.code): \(String(decoding: response.body.prefix(600), as: UTF8.self))"
            )
        }
        return response.object
    }

    /// Logs in and answers the bearer token.
    func login(_ username: String, password: String) async throws -> String {
        let response = try await self.send(.post, "/v1/auth/login", json: ["username": username, "password": password])
        guard response.status == .ok, let token = response.object["token"] as? String else {
            throw DemoError.refused("login \(username) answered \(response.status.code)")
        }
        return token
    }
}

/// A response's status and body.
struct DemoResponse: Sendable {
    var status: HTTPResponse.Status
    var body: Data

    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] ?? [:]
    }
}

/// Collects a response body.
private final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var copy = buffer
        self.lock.withLock { _ = self.buffer.writeBuffer(&copy) }
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}

    func data() -> Data {
        self.lock.withLock { Data(self.buffer.readableBytesView) }
    }
}

/// Why seeding stopped.
public enum DemoError: Error, CustomStringConvertible {
    case refused(String)

    public var description: String {
        switch self {
        case .refused(let reason): return "demo seed: " + reason
        }
    }
}
