import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouTestSupport
import NIOCore
import Testing

@Suite("Web clients' files")
struct WebClientTests {
    @Test("pages carry a strict CSP, hold no inline script or style, and every file they name is served")
    func pages() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                let page = try await client.execute(uri: "/app/", method: .get)
                #expect(page.status == .ok)
                let csp = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"))
                #expect(page.headers[.cacheControl] == "no-cache")
                #expect(page.headers[HTTPField.Name("X-Liushou-Version")!]?.count == 12)
                let html = String(buffer: page.body)
                #expect(html.range(of: #"<script(?![^>]*\ssrc=)[^>]*>"#, options: .regularExpression) == nil, "no inline script")
                #expect(html.range(of: #"\sstyle=|<style|\son[a-z]+="#, options: .regularExpression) == nil, "no inline style or handler")
                #expect(!html.contains("{{"), "templates are rendered")
                #expect(try await client.execute(uri: "/app", method: .get).headers[.location] == "/app/")

                let worker = try await client.execute(uri: "/app/sw.js", method: .get)
                #expect(worker.headers[HTTPField.Name("Service-Worker-Allowed")!] == "/app/")
                let script = String(buffer: worker.body)
                let list = try #require(script.range(of: #"const PRECACHE = (\[[^\]]*\]);"#, options: .regularExpression))
                let json = String(script[list]).dropFirst("const PRECACHE = ".count).dropLast()
                let files = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String])
                #expect(files.count > 10)
                var total = 0
                for file in files {
                    let response = try await client.execute(uri: file, method: .get, headers: [.acceptEncoding: "gzip"])
                    #expect(response.status == .ok, "\(file)")
                    total += response.body.readableBytes
                    if file.hasPrefix("/static/") {
                        #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
                    }
                    if file.hasSuffix(".js") {
                        let plain = try Self.gunzip(response)
                        let text = String(decoding: try #require(plain), as: UTF8.self)
                        #expect(!text.contains("innerHTML") && !text.contains("eval("), "\(file): no HTML injection, no eval")
                        let outside = text.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")
                        #expect(outside.range(of: #"https?://"#, options: .regularExpression) == nil, "\(file): nothing from another host")
                    }
                }
                #expect(total < 150 * 1024, "the app shell transfers under 150 KB gzipped (\(total) bytes)")
            }
        }
    }

    @Test("versioned files: gzip, ETag revalidation, an old version is served but not kept, unknown files 404")
    func caching() async throws {
        try await TestPostgres.withDatabase { database in
            try await TestApp.make(database).test(.router) { client in
                let html = String(buffer: try await client.execute(uri: "/app/", method: .get).body)
                let found = try #require(html.range(of: #"/static/[0-9a-f]{12}/"#, options: .regularExpression))
                let prefix = String(html[found])
                let main = try await client.execute(uri: prefix + "app/main.js", method: .get, headers: [.acceptEncoding: "gzip, deflate"])
                #expect(main.status == .ok && main.headers[.contentEncoding] == "gzip")
                #expect(main.headers[.contentType] == "text/javascript; charset=utf-8")
                let etag = try #require(main.headers[.eTag])
                let again = try await client.execute(
                    uri: prefix + "app/main.js",
                    method: .get,
                    headers: [.ifNoneMatch: etag, .acceptEncoding: "gzip"]
                )
                #expect(again.status == .notModified && again.body.readableBytes == 0)
                #expect(again.headers[.contentLength] == main.headers[.contentLength], "a 304 names the representation's length, not 0")
                let plain = try await client.execute(uri: prefix + "app/main.js", method: .get)
                #expect(plain.headers[.contentEncoding] == nil && String(buffer: plain.body).contains("import"))
                #expect(plain.headers[.eTag] != etag, "the plain and gzip representations have their own tags")
                let refused = try await client.execute(uri: prefix + "app/main.js", method: .get, headers: [.acceptEncoding: "gzip;q=0, identity"])
                #expect(refused.headers[.contentEncoding] == nil)
                let head = try await client.execute(uri: prefix + "app/main.js", method: .head)
                #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.contentLength] == plain.headers[.contentLength])
                let old = try await client.execute(uri: "/static/000000000000/app/main.js", method: .get)
                #expect(old.status == .ok && old.headers[.cacheControl] == "no-cache")
                for missing in [
                    prefix + "app/nothing.js", prefix + "../Package.swift", prefix + "app/../../openapi.yaml", prefix + "app/index.html",
                    prefix + "app/sw.js",
                ] {
                    let answer = try await client.execute(uri: missing, method: .get)
                    #expect(answer.status == .notFound, "\(missing)")
                }
            }
        }
    }

    static func gunzip(_ response: TestResponse) throws -> Data? {
        guard response.headers[.contentEncoding] == "gzip" else { return Data(response.body.readableBytesView) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("body.gz")
        try Data(response.body.readableBytesView).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-d", file.path]
        try process.run()
        process.waitUntilExit()
        return try? Data(contentsOf: directory.appendingPathComponent("body"))
    }
}
