import Crypto
import Foundation

/// Opaque random bearer tokens; only their SHA-256 is ever stored.
public enum BearerToken {
    /// A new token: 32 random bytes, base64url, with a prefix naming its kind (`lss_` session, `lsk_` API key).
    public static func generate(prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return prefix + encoded
    }

    /// The stored form of a token.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}
