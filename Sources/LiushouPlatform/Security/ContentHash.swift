import Crypto
import Foundation
import LiushouPostgres

/// The SHA-256 of a value's canonical JSON: what makes a retried upload recognisable.
public enum ContentHash {
    /// The digest of `value` encoded with sorted keys and ISO 8601 dates.
    public static func of(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data()
        return Data(SHA256.hash(data: data))
    }

    /// The digest as lower-case hex, as content hashes are sent to SQL (`decode(…, 'hex')`).
    public static func hex(of value: some Encodable) -> String {
        Self.of(value).hex
    }

    /// The digest of canonical text written by hand (`JSONText.object(canonical: true)`, fields in
    /// byte order of their keys): the same as `hex(of:)` of the value, for types hashed in bulk.
    public static func hex(ofCanonical text: JSONText) -> String {
        precondition(text.canonical, "a content hash is taken of canonical text (JSONText.object(canonical: true))")
        return Data(SHA256.hash(data: text.utf8)).hex
    }
}
