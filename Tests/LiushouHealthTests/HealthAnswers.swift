import Foundation

/// Typed views of the answers the health tests read (`TestResponse.decode`; dates stay the strings the API sends).
enum Answer {
    /// A value with the keys its JSON object sent (to tell a left-out key from a null).
    @dynamicMemberLookup
    struct Keyed<Value: Decodable>: Decodable {
        var value: Value
        var keys: Set<String>

        init(from decoder: any Decoder) throws {
            self.value = try Value(from: decoder)
            self.keys = Set(try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue))
        }

        subscript<Field>(dynamicMember path: KeyPath<Value, Field>) -> Field {
            self.value[keyPath: path]
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }

    struct Items<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct FieldError: Decodable, Equatable {
        var field: String
        var message: String
    }

    /// A problem's field errors (none when it names no field).
    struct Problem: Decodable {
        var errors: [FieldError]?

        var fields: [String] { (self.errors ?? []).map(\.field) }
    }

    struct Created: Decodable {
        var id: String
    }

    struct BatchResult: Decodable {
        var status: String
        var errors: [FieldError]?

        var fields: [String] { (self.errors ?? []).map(\.field) }
    }

    struct Batch: Decodable {
        var created: Int
        var duplicate: Int
        var conflict: Int
        var rejected: Int
        var results: [BatchResult]
    }

    struct FollowUp: Decodable {
        var id: String
        var need: String
        var routedRole: String
        var checkupId: String?
        var canResolve: Bool
        var version: Int
    }

    struct HealthView: Decodable {
        struct Line: Decodable {
            var kind: String
            var lastCheckedOn: String?
            var followUpNeeded: Bool?
            var nextDueOn: String?
            var overdue: Bool
        }

        struct Measurement: Decodable {
            var name: String
        }

        struct Checkup: Decodable {
            var diagnoses: [String]
            var measurements: [Measurement]
        }

        struct Details: Decodable {
            var allergies: [String]
            var checkups: [Checkup]
        }

        var summary: [Keyed<Line>]
        var details: Details?
        var limited: Bool
    }

    struct Rate: Decodable {
        var numerator: Int
        var denominator: Int
        var rate: Double?
    }

    struct CoverageLine: Decodable {
        var unitName: String
        var eldersChecked: Rate
        var womenScreened: Rate
    }
}
