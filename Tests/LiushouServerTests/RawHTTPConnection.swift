import Foundation
import Glibc

/// A plain TCP connection for tests that need what an HTTP client library hides: half-sent
/// headers, a kept-alive connection across shutdown, seeing the server close. Blocking reads run on
/// a thread of their own, never on the concurrency pool (other tests run on it meanwhile).
final class RawHTTPConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int, readTimeoutSeconds: Int = 5) throws {
        self.descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(self.descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(self.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit {
        close(self.descriptor)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Waits until no socket listens on `port` (read from /proc/net, without connecting). False if one
    /// still listens after `within`.
    static func waitUntilNotListening(port: Int, within limit: Duration) async throws -> Bool {
        let suffix = ":" + String(format: "%04X", port)
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let tables = ["/proc/net/tcp", "/proc/net/tcp6"].compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            let listening = tables.joined(separator: "\n").split(separator: "\n").contains { line in
                let fields = line.split(separator: " ")
                // Fields: slot, local address, remote address, state ("0A" is LISTEN), …
                return fields.count > 3 && fields[1].hasSuffix(suffix) && fields[3] == "0A"
            }
            if !listening { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// What arrives until the server closes, the read times out, or `until` appears in it.
    /// `closed` tells whether the server closed the connection.
    func receive(until marker: String? = nil) async -> (text: String, closed: Bool) {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: self.receiveBlocking(until: marker)) }.start()
        }
    }

    private func receiveBlocking(until marker: String?) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(self.descriptor, &buffer, buffer.count, 0)
            if count == 0 { return (String(decoding: received, as: UTF8.self), true) }
            if count < 0 { return (String(decoding: received, as: UTF8.self), errno == ECONNRESET) }
            received += buffer.prefix(count)
            let text = String(decoding: received, as: UTF8.self)
            if let marker, text.contains(marker) { return (text, false) }
        }
    }
}
