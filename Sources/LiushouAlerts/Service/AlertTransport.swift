import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Posts one request to a receiver (a robot's webhook, the SMS gateway) and answers its status and
/// body; throws when no answer came in time.
public protocol AlertTransport: Sendable {
    func post(_ request: OutgoingRequest, timeout: Duration) async throws -> (status: Int, body: Data)
}

/// A POST of a JSON body.
public struct OutgoingRequest: Sendable {
    public var url: URL
    public var body: Data
    public var headers: [String: String]
}

/// URLSession (libcurl on Linux): TLS for the real robots, many connections per host so that one
/// hung receiver does not hold up the others. Redirects are not followed: a robot's address is
/// checked against the allowed hosts, and a redirect would lead past that check (its 3xx answer
/// makes the delivery dead).
public final class URLSessionTransport: AlertTransport, @unchecked Sendable {
    private let session: URLSession

    public init(maxConnectionsPerHost: Int = 64) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        self.session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }

    public func post(_ request: OutgoingRequest, timeout: Duration) async throws -> (status: Int, body: Data) {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = "POST"
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await self.session.data(for: urlRequest)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// Refuses every redirect, so the 3xx answer itself comes back.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
