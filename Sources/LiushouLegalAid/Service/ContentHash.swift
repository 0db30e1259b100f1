import Crypto
import Foundation

/// The SHA-256 of a value's canonical JSON: what makes a retried request recognisable.
enum ContentHash {
    static func of(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(value)) ?? Data()
        return Data(SHA256.hash(data: data))
    }
}
