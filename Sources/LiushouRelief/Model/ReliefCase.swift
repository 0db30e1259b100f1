import Foundation
import LiushouPostgres

/// A relief case as the API shows it; amounts in fen.
public struct ReliefCase: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var personName: String?
    public var householdId: UUID?
    public var unitId: UUID
    public var villageId: UUID
    public var typeKey: String
    public var typeName: String
    public var urgency: ReliefCaseInput.Urgency
    public var need: String
    public var amountRequestedFen: Int64
    public var amountGrantedFen: Int64?
    public var documents: [String]
    public var source: ReliefCaseInput.Source
    public var followUpId: UUID?
    public var officerAccountId: UUID?
    public var raisedByName: String
    public var state: ReliefState
    public var appeals: Int
    public var submittedAt: Date
    public var decisionDueAt: Date
    /// Awaiting a decision past its deadline.
    public var overdue: Bool
    public var decidedAt: Date?
    public var decisionReason: String?
    public var paidOn: LocalDate?
    public var paidAmountFen: Int64?
    public var paymentChannel: ReliefTransitionInput.Channel?
    public var closedAt: Date?
    public var version: Int
    /// What the caller may do next (legal from the state and allowed to the caller's roles here).
    public var allowedActions: [ReliefAction]?
    /// The case's transitions, oldest first (on reads of one case).
    public var transitions: [ReliefTransition]?
}
