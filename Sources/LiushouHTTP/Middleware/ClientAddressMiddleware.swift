import Foundation
import HTTPTypes
import Hummingbird

/// Sets the request's client address (audit, login throttling). Behind a reverse proxy every
/// request arrives from the proxy, so when the peer is one of `trustedProxies` the address is taken
/// from `X-Forwarded-For`: the rightmost entry that is not itself a trusted proxy. Entries left of
/// it were written by the client and prove nothing; without trusted proxies the header is ignored.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let trustedProxies: Set<String>

    /// A middleware trusting `X-Forwarded-For` only from these peer addresses.
    public init(trustedProxies: Set<String>) {
        self.trustedProxies = trustedProxies
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let peer = context.clientAddress, self.trustedProxies.contains(peer) else { return try await next(request, context) }
        var context = context
        context.clientAddress = Self.client(forwardedFor: request.headers[values: .xForwardedFor], trusted: self.trustedProxies) ?? peer
        return try await next(request, context)
    }

    /// ASCII hex digits, `.` and `:`: what an IPv4 or IPv6 address is written with.
    private static let addressBytes = Set("0123456789abcdefABCDEF.:".utf8)

    /// The rightmost address of the `X-Forwarded-For` values that is not a trusted proxy.
    public static func client(forwardedFor values: [String], trusted: Set<String>) -> String? {
        // Split and checked byte by byte: a comma after a prepended mark is one Character with it.
        let hops = values.flatMap { $0.utf8.split(separator: UInt8(ascii: ",")) }
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !trusted.contains(hop) {
            // Only something that looks like an address: the header is written by whoever sent it.
            guard hop.utf8.count <= 45, hop.utf8.allSatisfy({ Self.addressBytes.contains($0) }) else { return nil }
            return hop
        }
        return nil
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
