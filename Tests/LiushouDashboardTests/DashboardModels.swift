import Foundation

// Answers as the tests read them (`TestResponse.decode`): only the fields they check.

struct IndicatorBody: Decodable {
    var key: String
    var numerator: Int
    var denominator: Int
    var rate: Double?
    var status: String
}

struct DashboardBody: Decodable {
    struct Row: Decodable {
        var unitName: String
        var indicators: [IndicatorBody]
        var counts: [String: Int]
    }

    var rows: [Row]
}

struct TrendBody: Decodable {
    struct Week: Decodable {
        var weekStart: String
        var indicators: [IndicatorBody]
    }

    var weeks: [Week]
}

struct DefinitionsBody: Decodable {
    struct Indicator: Decodable {
        var key: String
        var definition: String?
    }

    var indicators: [Indicator]
}
