import Foundation

// Answers as the tests read them (`TestResponse.decode`): only the fields they check.

struct ItemsBody<Item: Decodable>: Decodable {
    var items: [Item]
}

/// Any JSON object, for counting.
struct JSONObject: Decodable {}

struct ProblemBody: Decodable {
    struct FieldError: Decodable {
        var field: String
    }

    var errors: [FieldError]?
}

struct NamedBody: Decodable {
    var id: String
    var name: String
}

struct PairingBody: Decodable {
    var unitId: String
    var running: Bool
    var helpers: [JSONObject]
    var people: [JSONObject]
}

struct ObligationBody: Decodable {
    var ruleKey: String
    var overdue: Bool?
    var lastCheckAt: String?
}

struct HoursBody: Decodable {
    struct Month: Decodable {
        var month: String
        var organisation: String?
        var visits: Int
        var minutes: Int
        var hours: String
        var volunteers: Int?
    }

    var totalMinutes: Int
    var months: [Month]
}

struct OwnRecordBody: Decodable {
    var volunteer: NamedBody
    var hours: HoursBody
    var pairings: [JSONObject]
}

struct RateBody: Decodable {
    var unitName: String
    var paired: Int
    var people: Int
    var rate: Double?
}
