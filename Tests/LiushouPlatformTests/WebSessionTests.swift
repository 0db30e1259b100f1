import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouTestSupport
import Testing

@Suite("Browser sessions")
struct WebSessionTests {
    static func cookies(_ response: TestResponse) -> [String] {
        response.headers[values: .setCookie]
    }

    @Test("a cookie login hides the token from script, needs the CSRF header for changes, and logout clears it")
    func cookieSession() async throws {
        try await TestPostgres.withDatabase { database in
            _ = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let login = try await client.post(
                    "/v1/auth/login",
                    json: ["username": "village1a.cadre", "password": PlatformFixture.password, "cookie": true]
                )
                #expect(login.status == .ok)
                let body = try login.json()
                #expect(body["token"] == nil, "the token never reaches the page")
                let csrf = try #require(body["csrfToken"] as? String)
                let cookies = Self.cookies(login)
                let session = try #require(cookies.first { $0.hasPrefix("liushou_session=") })
                #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/"))
                #expect(!session.contains("Secure"), "plain HTTP without a proxy saying https")
                let readable = try #require(cookies.first { $0.hasPrefix("liushou_csrf=") })
                #expect(!readable.contains("HttpOnly") && readable.contains("liushou_csrf=\(csrf);"))
                let token = String(session.dropFirst("liushou_session=".count).prefix { $0 != ";" })
                let cookie: HTTPFields = [.cookie: "liushou_session=\(token); liushou_csrf=\(csrf)"]

                let me = try await client.send(.get, "/v1/auth/me", headers: cookie)
                let meBody = try me.json()
                #expect(me.status == .ok && meBody["username"] as? String == "village1a.cadre")
                // A change without the header, or with another session's value, is refused and changes nothing.
                let forged = try await client.send(.post, "/v1/auth/logout", headers: cookie)
                let forgedBody = try forged.json()
                #expect(forged.status == .forbidden && forgedBody["code"] as? String == "csrf_failed")
                var wrong = cookie
                wrong[WebSessionHeaders.csrf] = String(csrf.reversed())
                #expect(try await client.send(.post, "/v1/auth/logout", headers: wrong).status == .forbidden)
                #expect(try await client.send(.get, "/v1/auth/me", headers: cookie).status == .ok, "still logged in")

                var good = cookie
                good[WebSessionHeaders.csrf] = csrf
                let logout = try await client.send(.post, "/v1/auth/logout", headers: good)
                #expect(logout.status == .noContent)
                #expect(Self.cookies(logout).contains { $0.hasPrefix("liushou_session=;") && $0.contains("Max-Age=0") })
                #expect(try await client.send(.get, "/v1/auth/me", headers: cookie).status == .unauthorized)
                #expect(try await client.send(.get, "/healthz", headers: cookie).status == .ok, "a dead cookie does not block open routes")

                // Behind an HTTPS proxy the cookies are Secure; bearer tokens are unchanged for machine clients.
                let secure = try await client.post(
                    "/v1/auth/login",
                    json: ["username": "village1a.cadre", "password": PlatformFixture.password, "cookie": true],
                    headers: [WebSessionHeaders.forwardedProto: "https"]
                )
                #expect(Self.cookies(secure).allSatisfy { $0.contains("; Secure") })
                // Login CSRF: a foreign page's form can send only form or text bodies, and browsers say where it came from.
                var plain = try await client.send(
                    .post,
                    "/v1/auth/login",
                    body: Data(#"{"username":"village1a.cadre","password":"\#(PlatformFixture.password)","cookie":true}"#.utf8),
                    contentType: "text/plain",
                    token: nil
                )
                #expect(plain.status == .forbidden && Self.cookies(plain).isEmpty)
                plain = try await client.post(
                    "/v1/auth/login",
                    json: ["username": "village1a.cadre", "password": PlatformFixture.password, "cookie": true],
                    headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]
                )
                #expect(plain.status == .forbidden && Self.cookies(plain).isEmpty)
                let bearer = try await client.login("village1a.cadre")
                #expect(try await client.send(.post, "/v1/auth/logout", token: bearer).status == .noContent)
            }
        }
    }
}

enum WebSessionHeaders {
    static let csrf = HTTPField.Name("X-CSRF-Token")!
    static let forwardedProto = HTTPField.Name("X-Forwarded-Proto")!
}
