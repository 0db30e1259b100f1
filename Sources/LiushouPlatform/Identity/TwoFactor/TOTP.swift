import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second steps —
/// what every authenticator app (企业微信, 微信小程序, Google/Microsoft Authenticator, 1Password) reads
/// from an `otpauth://` URI.
public struct TOTP: Sendable {
    public static let digits = 6
    public static let period: Int64 = 30
    /// Steps accepted either side of now: a phone clock a little off, a code typed as it turns.
    public static let window: Int64 = 1

    /// The shared secret (20 random bytes, as RFC 4226 recommends).
    public let secret: Data

    public init(secret: Data) {
        self.secret = secret
    }

    /// A new random secret.
    public static func generate() -> TOTP {
        var generator = SystemRandomNumberGenerator()
        return TOTP(secret: Data((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }))
    }

    /// The time step a moment falls in.
    public static func step(at date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down)) / Self.period
    }

    /// The code of one time step (RFC 4226 §5.3 dynamic truncation).
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: self.secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step whose code `code` is, within the window around `date`; nil if none. Compared in
    /// constant time per step.
    public func matchingStep(_ code: String, at date: Date) -> Int64? {
        let given = Array(code.filter { !$0.isWhitespace }.utf8)
        guard given.count == Self.digits, given.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let now = Self.step(at: date)
        var found: Int64? = nil
        for step in (now - Self.window)...(now + Self.window) {
            let expected = Array(self.code(step: step).utf8)
            if zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0, found == nil { found = step }
        }
        return found
    }

    /// The secret in base32 (RFC 4648, no padding), as apps take it when typed in by hand.
    public var base32Secret: String { Base32.encode(self.secret) }

    /// The enrolment URI an authenticator app reads from the QR code.
    public func uri(issuer: String, account: String) -> String {
        // RFC 3986 unreserved characters stay; everything else (the colon, Chinese) is percent-encoded.
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let escape = { (text: String) in text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text }
        return "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(self.base32Secret)&issuer=\(escape(issuer))"
            + "&algorithm=SHA1&digits=\(Self.digits)&period=\(Self.period)"
    }
}

/// RFC 4648 base32 without padding.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(Self.alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(Self.alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }
}

/// One-time recovery codes for a lost phone: ten per enrolment, shown once, stored as SHA-256
/// digests (50 random bits each: a digest cannot be searched back).
public enum RecoveryCodes {
    public static let count = 10

    /// New codes, `xxxxx-xxxxx` in base32 letters and digits.
    public static func generate() -> [String] {
        var generator = SystemRandomNumberGenerator()
        return (0..<Self.count).map { _ in
            let letters = (0..<10).map { _ in Base32.alphabet[Int.random(in: 0..<32, using: &generator)] }
            return String(decoding: letters[0..<5], as: UTF8.self) + "-" + String(decoding: letters[5...], as: UTF8.self)
        }
    }

    /// What is stored of a code: its digest after normalising case, spaces and the hyphen.
    public static func digest(_ code: String) -> Data {
        let normalised = code.uppercased().filter { $0 != "-" && !$0.isWhitespace }
        return Data(SHA256.hash(data: Data(normalised.utf8)))
    }
}
