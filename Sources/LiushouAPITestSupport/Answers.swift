import Foundation
import LiushouHTTP

/// Typed views of API answers for tests (`TestResponse.decode`; dates stay the strings the API sends).
/// Test targets add their own answer types in extensions.
public enum Answer {
    /// A value with the keys its JSON object sent (to tell a left-out key from a null).
    @dynamicMemberLookup
    public struct Keyed<Value: Decodable>: Decodable {
        public var value: Value
        public var keys: Set<String>

        public init(from decoder: any Decoder) throws {
            self.value = try Value(from: decoder)
            self.keys = Set(try decoder.container(keyedBy: NamedKey.self).allKeys.map(\.stringValue))
        }

        public subscript<Field>(dynamicMember path: KeyPath<Value, Field>) -> Field {
            self.value[keyPath: path]
        }
    }

    public struct Items<Item: Decodable>: Decodable {
        public var items: [Item]
    }

    /// An entry of `GET /v1/persons/{id}/timeline`.
    public struct TimelineEntry: Decodable {
        public var module: String
        public var kind: String
        public var summary: String
    }

    public struct FieldError: Decodable, Equatable {
        public var field: String
        public var message: String
    }

    /// A problem's field errors (none when it names no field).
    public struct Problem: Decodable {
        public var errors: [FieldError]?

        public var fields: [String] { (self.errors ?? []).map(\.field) }
    }

    public struct Created: Decodable {
        public var id: String
    }
}
