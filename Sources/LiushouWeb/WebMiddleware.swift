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
            // The service worker keeps a page only if it belongs to its own version.
            headers[HTTPField.Name("X-Liushou-Version")!] = self.bundle.version
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
            guard !file.contains(".."), !file.split(separator: "/").contains(where: { $0.hasPrefix(".") }),
                !WebBundle.templates.contains(file), !WebBundle.partials.contains(file), let asset = self.bundle.files[file]
            else {
                throw Problem.notFound("No such file.")
            }
            var headers = Self.securityHeaders()
            // A page of an older version still loads, but what it gets must not be kept under the old URL.
            headers[.cacheControl] = version == self.bundle.version ? "public, max-age=31536000, immutable" : "no-cache"
            return Self.respond(asset, request: request, headers: headers)
        }
        return try await next(request, context)
    }

    /// Whether `Accept-Encoding` takes gzip (and does not refuse it with `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        for part in header.lowercased().split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.first == "gzip" || fields.first == "*" else { continue }
            let refused = fields.dropFirst().contains {
                $0.replacingOccurrences(of: " ", with: "").hasPrefix("q=0") && !$0.contains(where: { "123456789".contains($0) })
            }
            return !refused
        }
        return false
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
        headers[.vary] = "Accept-Encoding"
        var body = asset.body
        // Each encoding is its own representation, with its own tag.
        var etag = asset.etag
        if let gzipped = asset.gzipped, Self.acceptsGzip(request.headers[.acceptEncoding]) {
            headers[.contentEncoding] = "gzip"
            body = gzipped
            etag = String(asset.etag.dropLast()) + "-gz\""
        }
        headers[.eTag] = etag
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(body.count)
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { tag in
                let tag = tag.trimmingCharacters(in: .whitespaces)
                return tag == "*" || tag == etag || tag == "W/" + etag
            })
        {
            return Response(status: .notModified, headers: headers)
        }
        if request.method == .head {
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
