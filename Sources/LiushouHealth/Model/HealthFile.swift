import Foundation
import LiushouPostgres

/// The standing part of a person's health file, maintained by the clinic.
public struct HealthFileInput: Sendable, Codable, Equatable {
    public var chronicConditions: [String]
    public var allergies: [String]
    public var notes: String?
}

/// A person's health as a caller may see it: everyone who sees the person gets the summary; clinic
/// staff serving the person's village also get the clinical details.
public struct HealthView: Sendable, Codable, Equatable {
    /// Per kind of checkup: last date, whether it asked for a follow-up, when the next is due.
    public struct Line: Sendable, Codable, Equatable {
        public var kind: CheckupKind
        public var lastCheckedOn: LocalDate?
        public var followUpNeeded: Bool?
        /// Due by a rule in force for the person (nil: no rule asks for this kind).
        public var nextDueOn: LocalDate?
        public var overdue: Bool
    }

    /// The clinical part.
    public struct Details: Sendable, Codable, Equatable {
        public var chronicConditions: [String]
        public var allergies: [String]
        public var notes: String?
        /// Disability as recorded in the person's file.
        public var disabilityType: String?
        public var disabilityGrade: Int?
        public var checkups: [Checkup]
        public var version: Int
    }

    public var personId: UUID
    public var summary: [Line]
    public var details: Details?
    /// The summary is the limited one of a helper who sees the person through a pairing or a school:
    /// only whether the yearly elder or child checkup is due (to remind or accompany), no dates of
    /// past checkups, no follow-up flags and nothing of women's screening.
    public var limited: Bool
}
