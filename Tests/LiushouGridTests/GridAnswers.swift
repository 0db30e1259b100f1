import Foundation

/// Typed views of the answers the grid tests read (`TestResponse.decode`; dates stay the strings the API sends).
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

    struct CheckResult: Decodable {
        var id: String
        var status: String
    }

    struct BatchResult: Decodable {
        var status: String
        var errors: [FieldError]?
    }

    struct Batch: Decodable {
        var created: Int
        var duplicate: Int
        var rejected: Int
        var results: [BatchResult]
    }

    struct DoorCheck: Decodable {
        var id: String
    }

    struct Obligation: Decodable {
        var ruleKey: String
        var cadenceHours: Int
        var lastCheckAt: String?
        var nextDueAt: String
        var overdue: Bool
    }

    struct Task: Decodable {
        var personId: String
        var ruleKey: String
        var checkKinds: [String]
        var birthYear: Int
        var unitName: String
        var villageName: String
        var nextDueAt: String
        var overdue: Bool
    }

    struct Overdue: Decodable {
        var personName: String
        var ruleKey: String
        var hoursLate: Int
        var responsible: String?
    }

    struct VisitRule: Decodable {
        var ruleKey: String
        var cadenceHours: Int
        var active: Bool
    }

    struct FollowUp: Decodable {
        var id: String
        var need: String
        var routedRole: String
        var status: String
        var resolution: String?
        var canResolve: Bool
    }

    struct SafeguardingReport: Decodable {
        var id: String
        var details: String?
    }

    struct Moved: Decodable {
        var membersMoved: Int
    }

    struct Move: Decodable {
        var fromUnitId: String
    }

    struct PersonFile: Decodable {
        struct File: Decodable {
            var gridId: String?
        }

        var file: File
    }
}
