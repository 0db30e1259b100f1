import Foundation

/// A `Codable` value stored as `jsonb`: bind with `\(PostgresJSON(value))`, decode as `PostgresJSON<T>`.
public struct PostgresJSON<Value: Codable & Sendable>: Sendable, PostgresCodable {
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) {
        self.value = value
    }

    public static var postgresType: PostgresType { .jsonb }
    public static var postgresArrayType: PostgresType? { .jsonbArray }

    public var postgresText: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        // Unsorted: jsonb stores keys in its own order, so sorting them here (for every object of
        // a batch of 1,000 door checks or 5,000 checkups) is work for nothing.
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Codable values of the app's own types encode unless they hold non-finite doubles;
        // the binding below turns that into an `invalidParameter` error.
        guard let data = try? encoder.encode(self.value) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    public var postgresBinding: PostgresBinding {
        let text = self.postgresText
        guard !text.isEmpty else {
            return .failed(.jsonb, reason: "value of \(Value.self) could not be encoded as JSON")
        }
        return PostgresBinding(type: .jsonb, text: text)
    }

    public static func decode(from cell: PostgresCell) throws -> PostgresJSON<Value> {
        let text = try cell.text(decodingAs: Value.self, accepting: [.json, .jsonb])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return PostgresJSON(try decoder.decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw DatabaseError.jsonDecoding(column: cell.columnName, swiftType: "\(Value.self)", reason: "\(error)")
        }
    }
}
