import Foundation
import LiushouPostgres

/// `POST /v1/persons`: the file plus an optional client-chosen id (retries with the same id never duplicate).
struct CreatePersonRequest: Decodable {
    var id: UUID?
    var file: PersonFile

    private enum CodingKeys: String, CodingKey {
        case id
    }

    init(from decoder: any Decoder) throws {
        self.id = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(UUID.self, forKey: .id)
        self.file = try PersonFile(from: decoder)
    }
}

/// `POST /v1/persons/{id}/exit`.
struct ExitPersonRequest: Decodable {
    var reason: ExitReason
    var exitedOn: LocalDate
}

/// Opaque keyset cursors: base64url of a small JSON object.
enum Cursor {
    static func encode(_ value: some Encodable) -> String {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode<Value: Decodable>(_ text: String, as type: Value.Type) -> Value? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(Value.self, from: data)
    }
}

/// Keyset position in a name-ordered person list.
struct PersonCursor: Codable {
    var name: String
    var id: UUID
}

/// Keyset position in a timeline.
struct TimelineCursor: Codable {
    var at: Date
    var id: UUID
}
