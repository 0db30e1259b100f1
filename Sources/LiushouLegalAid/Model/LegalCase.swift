import Foundation
import LiushouPostgres

/// A legal-aid case with its details, as its confidential readers see it.
public struct LegalCase: Sendable, Codable, Equatable {
    /// The eligibility decision and its review.
    public struct Eligibility: Sendable, Codable, Equatable {
        public var decision: String
        public var basis: EligibilityBasis?
        public var refusalReason: String?
        public var decidedBy: String?
        public var decidedAt: Date?
        public var review: Review?
    }

    /// The review of a refusal.
    public struct Review: Sendable, Codable, Equatable {
        public var decision: String
        public var reason: String
        public var reviewedBy: String?
        public var reviewedAt: Date?
    }

    /// Who handles the case, and the first-contact deadline.
    public struct Assignee: Sendable, Codable, Equatable {
        public var kind: String
        public var accountId: UUID?
        public var name: String
        public var firm: String?
        public var licenceNumber: String?
        public var assignedAt: Date
        public var firstContactDue: Date
        public var firstContactAt: Date?
        /// No first contact and the deadline has passed.
        public var overdue: Bool
    }

    /// A progress note.
    public struct Note: Sendable, Codable, Equatable {
        public var id: UUID
        public var at: Date
        public var author: String
        public var body: String
    }

    public var id: UUID
    public var personId: UUID
    public var personName: String?
    public var unitId: UUID
    public var stage: LegalStage
    public var matter: String
    public var matterName: String
    public var guardian: LegalCaseInput.Guardian?
    public var parties: [String]
    public var facts: String
    public var urgency: LegalUrgency
    public var channel: IntakeChannel
    public var followUpId: UUID?
    /// The person was a left-behind child at intake (counts for the 100 % indicator).
    public var involvesLeftBehindChild: Bool
    public var openedAt: Date
    public var openedBy: String
    /// Grounds of eligibility the registry and the county's rules support today.
    public var grounds: [EligibilityBasis]
    public var eligibility: Eligibility?
    public var assignee: Assignee?
    public var mode: LegalMode?
    public var outcome: LegalOutcome?
    public var closedOn: LocalDate?
    public var closingSummary: String?
    public var notes: [Note]
    public var version: Int
}
