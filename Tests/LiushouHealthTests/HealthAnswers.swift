import Foundation
import LiushouAPITestSupport

/// The answers the health tests read, beside the shared ones of `Answer`.
extension Answer {
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
