import Foundation
import LiushouAPITestSupport

/// The answers the grid tests read, beside the shared ones of `Answer`.
extension Answer {
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
        var description: String
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
