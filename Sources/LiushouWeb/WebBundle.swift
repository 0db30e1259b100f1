import Crypto
import Foundation

/// The web clients' files (field app, console, dashboard and their shared code), read once at
/// start-up from the module's resources. Files are served under `/static/<version>/…`, where the
/// version is a digest of every file: a new build gets new URLs, so browsers may cache them for a
/// year. Pages and the service worker are templates whose `{{static}}` becomes that prefix; a page's
/// `{{head}}` becomes `shared/head.html`, the start of every page's head.
public struct WebBundle: Sendable {
    /// One file, ready to send.
    struct Asset: Sendable {
        var body: [UInt8]
        var gzipped: [UInt8]?
        var contentType: String
        var etag: String
    }

    /// Digest of all files (12 hex digits).
    public let version: String
    /// Files by path relative to the bundle root (`app/main.js`).
    let files: [String: Asset]
    /// Pages and other templates, rendered with this version.
    let rendered: [String: Asset]

    /// The URL prefix of versioned files.
    public var staticPrefix: String { "/static/\(self.version)" }

    /// Reads the bundle from `directory` (default: this module's resources).
    public init(directory: URL? = nil) throws {
        guard let root = directory ?? Bundle.module.url(forResource: "web", withExtension: nil) else {
            throw WebBundleError.missing
        }
        var raw: [String: [UInt8]] = [:]
        let base = root.standardizedFileURL.path
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            raw[path] = Array(try Data(contentsOf: url))
        }
        guard !raw.isEmpty else { throw WebBundleError.missing }
        var digest = SHA256()
        for path in raw.keys.sorted() {
            digest.update(data: Data(path.utf8))
            digest.update(data: raw[path]!)
        }
        let version = digest.finalize().prefix(6).map { String(format: "%02x", $0) }.joined()
        self.version = version
        self.files = raw.reduce(into: [:]) { result, pair in
            result[pair.key] = Self.asset(pair.value, contentType: Self.contentType(of: pair.key))
        }
        let prefix = "/static/\(version)"
        let precache =
            (["/app/", "/app/manifest.webmanifest"]
                + raw.keys.filter { ($0.hasPrefix("app/") || $0.hasPrefix("shared/")) && !Self.templates.contains($0) && !Self.partials.contains($0) }
                .sorted().map { "\(prefix)/\($0)" })
        let precacheJSON = "[" + precache.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
        // What every page's head starts with: character set, colour schemes, icon, base styles, preloads.
        guard let headPartial = raw["shared/head.html"] else { throw WebBundleError.missing }
        let head = String(decoding: headPartial, as: UTF8.self).trimmingCharacters(in: .newlines)
        var rendered: [String: Asset] = [:]
        for (path, bytes) in raw where Self.templates.contains(path) {
            // Every module the page may import, fetched at once rather than one import level at a time.
            let app = path.split(separator: "/").first.map(String.init) ?? ""
            let preload = raw.keys.filter { ($0.hasPrefix(app + "/") || $0.hasPrefix("shared/")) && $0.hasSuffix(".js") && $0 != "app/sw.js" }
                .sorted().map { "<link rel=\"modulepreload\" href=\"\(prefix)/\($0)\">" }.joined(separator: "\n")
            let text = String(decoding: bytes, as: UTF8.self)
                .replacingOccurrences(of: "{{head}}", with: head)
                .replacingOccurrences(of: "{{modulepreload}}", with: preload)
                .replacingOccurrences(of: "{{static}}", with: prefix)
                .replacingOccurrences(of: "{{version}}", with: version)
                .replacingOccurrences(of: "{{precache}}", with: precacheJSON)
            rendered[path] = Self.asset(Array(text.utf8), contentType: Self.contentType(of: path))
        }
        self.rendered = rendered
    }

    /// Pieces of pages, put into templates and never served themselves.
    static let partials: Set<String> = ["shared/head.html"]

    /// Files rendered per version rather than served as they are.
    static let templates: Set<String> = ["app/index.html", "app/sw.js", "app/manifest.webmanifest", "console/index.html", "dashboard/index.html"]

    static func asset(_ body: [UInt8], contentType: String) -> Asset {
        let tag = SHA256.hash(data: body).prefix(8).map { String(format: "%02x", $0) }.joined()
        let compressible =
            contentType.hasPrefix("text/") || contentType.contains("javascript") || contentType.contains("json")
            || contentType.contains("svg")
        let gzipped = compressible && body.count > 512 ? Gzip.compress(body).flatMap { $0.count < body.count ? $0 : nil } : nil
        return Asset(body: body, gzipped: gzipped, contentType: contentType, etag: "\"\(tag)\"")
    }

    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last.map(String.init) ?? "" {
        case "html": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "webmanifest": return "application/manifest+json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}

/// The bundle could not be read.
public enum WebBundleError: Error, CustomStringConvertible {
    case missing

    public var description: String { "the web clients' files are missing from the build (Resources/web)" }
}
