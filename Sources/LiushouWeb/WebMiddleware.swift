import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP
import NIOCore

/// Serves the web clients: `/app/` (field app), `/console/` (office console), `/dashboard` (joint
/// meeting) and their versioned files under `/static/<version>/`. Everything else goes on to the
/// router. Pages are never cached without revalidation; versioned files are immutable.
public struct WebMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let bundle: WebBundle

    /// Serves `bundle`.
    public init(bundle: WebBundle) {
        self.bundle = bundle
    }

    /// No script but our own files, no inline script or style, no framing, no outside host.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
        "connect-src 'self'", "manifest-src 'self'", "worker-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let pages: [String: String] = [
        "/app/": "app/index.html", "/app/sw.js": "app/sw.js", "/app/manifest.webmanifest": "app/manifest.webmanifest",
        "/console/": "console/index.html", "/dashboard": "dashboard/index.html", "/dashboard/": "dashboard/index.html",
    ]

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        let path = request.uri.path
        if path == "/app" || path == "/console" {
            return Response(status: .permanentRedirect, headers: [.location: path + "/"])
        }
        if let name = Self.pages[path], let asset = self.bundle.rendered[name] {
            var headers = Self.securityHeaders()
            headers[.cacheControl] = "no-cache"
            if name == "app/sw.js" {
                headers[HTTPField.Name("Service-Worker-Allowed")!] = "/app/"
            }
            return Self.respond(asset, request: request, headers: headers)
        }
        if path.hasPrefix("/static/") {
            let rest = path.dropFirst("/static/".count)
            guard let slash = rest.firstIndex(of: "/") else { return try await next(request, context) }
            let version = rest[..<slash]
            let file = String(rest[rest.index(after: slash)...])
            guard !file.contains(".."), let asset = self.bundle.files[file] else {
                throw Problem.notFound("No such file.")
            }
            var headers = Self.securityHeaders()
            // A page of an older version still loads, but what it gets must not be kept under the old URL.
            headers[.cacheControl] = version == self.bundle.version ? "public, max-age=31536000, immutable" : "no-cache"
            return Self.respond(asset, request: request, headers: headers)
        }
        return try await next(request, context)
    }

    static func securityHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("Content-Security-Policy")!] = Self.contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        return headers
    }

    static func respond(_ asset: WebBundle.Asset, request: Request, headers: HTTPFields) -> Response {
        var headers = headers
        headers[.eTag] = asset.etag
        headers[.vary] = "Accept-Encoding"
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        var body = asset.body
        if let gzipped = asset.gzipped, (request.headers[.acceptEncoding] ?? "").contains("gzip") {
            headers[.contentEncoding] = "gzip"
            body = gzipped
        }
        headers[.contentLength] = String(body.count)
        if request.method == .head {
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
