import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP

/// How a browser holds its session: the token lives in an `HttpOnly`, `SameSite=Strict` cookie that
/// no script can read (so an injected script cannot steal it), and every state-changing request must
/// echo a CSRF value in `X-CSRF-Token`. The CSRF value is derived from the token (so it needs no
/// storage and dies with the session) and handed to the page in a second, readable cookie.
/// Machine clients keep sending `Authorization: Bearer`.
public enum WebSessionCookie {
    /// The cookie holding the session token.
    public static let sessionName = "liushou_session"
    /// The readable cookie holding the CSRF value.
    public static let csrfName = "liushou_csrf"
    /// The header that must carry the CSRF value on unsafe methods.
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// The CSRF value of a session token.
    public static func csrfToken(for token: String) -> String {
        let digest = SHA256.hash(data: Data(("liushou-csrf:" + token).utf8))
        return Data(digest).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The session token sent in the request's cookies, if any.
    public static func token(in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == Self.sessionName else { continue }
                let value = parts[1].trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }

    /// `Set-Cookie` values that open a session. `Secure` is added when the request came over HTTPS
    /// (as a reverse proxy says in `X-Forwarded-Proto`).
    public static func open(token: String, maxAge: Int, request: Request) -> [String] {
        let secure = Self.isSecure(request) ? "; Secure" : ""
        return [
            "\(Self.sessionName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict\(secure)",
            "\(Self.csrfName)=\(Self.csrfToken(for: token)); Path=/; Max-Age=\(maxAge); SameSite=Strict\(secure)",
        ]
    }

    /// `Set-Cookie` values that end a session in the browser.
    public static func clear(request: Request) -> [String] {
        let secure = Self.isSecure(request) ? "; Secure" : ""
        return [
            "\(Self.sessionName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict\(secure)",
            "\(Self.csrfName)=; Path=/; Max-Age=0; SameSite=Strict\(secure)",
        ]
    }

    static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    /// A browser login must come from our own pages: a JSON body (a cross-site HTML form can only
    /// send form or text bodies) and, where the browser says so, not from another site. Otherwise a
    /// foreign page could log the user's browser into the attacker's account (login CSRF).
    public static func checkSameOriginLogin(_ request: Request) throws {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased()
        guard type.hasPrefix("application/json"), site == nil || site == "same-origin" || site == "none" else {
            throw Problem(
                status: .forbidden,
                code: "csrf_failed",
                title: "Cross-site login refused",
                detail: "A browser login must be sent as JSON from this server's own pages."
            )
        }
    }

    /// Whether a method changes state (and so needs the CSRF header under a cookie session).
    public static func isUnsafe(_ method: HTTPRequest.Method) -> Bool {
        !(method == .get || method == .head || method == .options)
    }
}
