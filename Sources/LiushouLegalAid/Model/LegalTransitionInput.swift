import Foundation
import LiushouPostgres

/// The body of a workflow transition; which fields count depends on the action.
public struct LegalTransitionInput: Sendable, Codable, Equatable {
    /// A lawyer assigned to the case.
    public struct Lawyer: Sendable, Codable, Equatable {
        public var name: String
        public var firm: String
        /// 律师执业证号.
        public var licenceNumber: String
    }

    /// decision: granted or refused.
    public var eligible: Bool?
    /// decision (granted) and review (overturn): the ground.
    public var basis: EligibilityBasis?
    /// decision (refused) and review: why.
    public var reason: String?
    /// review: overturn or uphold.
    public var decision: ReviewDecision?
    /// assignment: a legal-aid officer's login …
    public var officerAccountId: UUID?
    /// … or a lawyer.
    public var lawyer: Lawyer?
    /// first-contact (required) and close (optional change).
    public var mode: LegalMode?
    /// first-contact: when; now when absent.
    public var contactedAt: Date?
    /// close.
    public var outcome: LegalOutcome?
    /// close: the closing date; today when absent.
    public var closedOn: LocalDate?
    /// close: a short closing summary.
    public var summary: String?
}
