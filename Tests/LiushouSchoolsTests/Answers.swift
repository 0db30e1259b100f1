import Foundation
import HummingbirdTesting
import NIOCore

/// Typed views of the answers the tests read: the fields they check, as the JSON spells them (ids
/// and dates as strings).
enum Answer {
    struct Items<Item: Decodable>: Decodable {
        var items: [Item]
    }

    struct Problem: Decodable {
        struct FieldError: Decodable {
            var field: String
        }

        var errors: [FieldError]?
    }

    struct Enrolment: Decodable {
        var id: String
        var personId: String
        var status: String
        var enrolledOn: String
        var endedOn: String?
        var transferredFrom: String?
        var className: String?
        var boarding: Bool
        var version: Int
    }

    struct StatusChange: Decodable {
        var toStatus: String
    }

    struct History: Decodable {
        var items: [Enrolment]
        var changes: [StatusChange]
    }

    struct DropoutCase: Decodable {
        var id: String
        var status: String
        var closedHow: String?
    }

    struct StatusChangeResult: Decodable {
        var enrolment: Enrolment
        var receivingEnrolmentId: String?
        var dropoutCase: DropoutCase?
        var alerts: Int
    }

    struct Counselling: Decodable {
        struct Held: Decodable {
            var heldOn: String
            var schoolId: String
        }

        struct Session: Decodable {
            var issue: String
        }

        var sessions: [Held]
        var details: [Session]?
    }

    struct LearningPlan: Decodable {
        struct Check: Decodable {
            var progress: String
        }

        var checks: [Check]
    }

    struct Rate: Decodable {
        var numerator: Int
        var denominator: Int
        var rate: Double?
        /// Whether the answer has the `rate` key at all (it is left out without a denominator).
        var hasRateKey: Bool

        enum CodingKeys: String, CodingKey {
            case numerator, denominator, rate
        }

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: CodingKeys.self)
            self.numerator = try values.decode(Int.self, forKey: .numerator)
            self.denominator = try values.decode(Int.self, forKey: .denominator)
            self.rate = try values.decodeIfPresent(Double.self, forKey: .rate)
            self.hasRateKey = values.contains(.rate)
        }
    }

    struct RatesLine: Decodable {
        var unitName: String
        var enrolment: Rate
        var retention: Rate
        var kindergarten: Rate

        /// The rates by their JSON key.
        var byKey: [String: Rate] { ["enrolment": self.enrolment, "retention": self.retention, "kindergarten": self.kindergarten] }
    }

    struct RatesDocument: Decodable {
        var schoolYearStart: String
    }

    struct FiveOnes: Decodable {
        var personName: String?
        var calls: Int
        var weeksWithCall: Int
        var letters: Int
        var subjectTeacherContacts: Int
        var homeVisitsLast12Months: Int
        var met: [String: Bool]
    }

    struct TalkDue: Decodable {
        var personId: String
        var lastTalkOn: String?
    }

    struct FollowUp: Decodable {
        var need: String?
        var routedRole: String?
    }

    struct Identified: Decodable {
        var id: String
    }
}
