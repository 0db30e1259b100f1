import Foundation
import HTTPTypes
import Hummingbird
import LiushouAlerts
import Logging
import NIOCore
import ServiceLifecycle

/// A receiver on this machine that speaks the group robots' protocol (WeCom `?key=`, DingTalk
/// `?access_token=` with its signature checked) and an SMS gateway's, records what it took by
/// delivery id, and can be told to fail or hang per key.
final class LocalReceiver: Sendable {
    struct Received: Sendable {
        var key: String
        var delivery: String
        var body: String
    }

    actor State {
        var received: [Received] = []
        var failuresLeft: [String: Int] = [:]
        var hanging: Set<String> = []
        var dingtalkSecrets: [String: String] = [:]

        func fail(_ key: String, times: Int) { self.failuresLeft[key] = times }
        func hang(_ key: String) { self.hanging.insert(key) }
        func sign(_ key: String, secret: String) { self.dingtalkSecrets[key] = secret }

        /// What to answer: nil to hang.
        func take(key: String, delivery: String, body: String, timestamp: String?, sign: String?) -> (Int, String)? {
            if self.hanging.contains(key) { return nil }
            if let left = self.failuresLeft[key], left > 0 {
                self.failuresLeft[key] = left - 1
                return (500, "busy")
            }
            if let secret = self.dingtalkSecrets[key] {
                guard let timestamp, let sign, sign == AlertMessage.dingtalkSign(timestamp: timestamp, secret: secret) else {
                    return (200, #"{"errcode":310000,"errmsg":"sign not match"}"#)
                }
            }
            self.received.append(Received(key: key, delivery: delivery, body: body))
            return (200, #"{"errcode":0,"errmsg":"ok"}"#)
        }

        func all() -> [Received] { self.received }
    }

    let state: State
    let port: Int
    private let task: Task<Void, any Error>

    private init(state: State, port: Int, task: Task<Void, any Error>) {
        self.state = state
        self.port = port
        self.task = task
    }

    static func start() async throws -> LocalReceiver {
        let state = State()
        let router = Router()
        for path in ["/cgi-bin/webhook/send", "/robot/send", "/sms"] {
            router.post(RouterPath(path)) { request, context -> Response in
                let query = request.uri.queryParameters
                let key = query["key"].map(String.init) ?? query["access_token"].map(String.init) ?? "sms"
                let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
                let delivery = request.headers[HTTPField.Name("X-Liushou-Delivery")!] ?? ""
                guard
                    let (status, text) = await state.take(
                        key: key,
                        delivery: delivery,
                        body: body,
                        timestamp: query["timestamp"].map(String.init),
                        sign: query["sign"].map(String.init)
                    )
                else {
                    try await Task.sleep(for: .seconds(120))
                    return Response(status: .ok)
                }
                return Response(
                    status: .init(code: status),
                    headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: text))
                )
            }
        }
        // A robot address that redirects elsewhere (where a server must not be led).
        router.post("/redirect/send") { _, _ -> Response in
            Response(status: .temporaryRedirect, headers: [.location: "/cgi-bin/webhook/send?key=redirected"])
        }
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "receiver")
        )
        let task = Task {
            try await ServiceGroup(services: [app], logger: Logger(label: "receiver")).run()
        }
        var port = 0
        for await bound in stream {
            port = bound
            break
        }
        return LocalReceiver(state: state, port: port, task: task)
    }

    func stop() {
        self.task.cancel()
    }
}
