import Foundation
import LiushouPostgres

/// One recorded step of a case: who, when, from and to which state, with what comment.
public struct ReliefTransition: Sendable, Codable, Equatable {
    public var id: UUID
    public var action: ReliefAction
    public var fromState: ReliefState
    public var toState: ReliefState
    public var actorName: String
    public var actorRole: String
    public var at: Date
    public var comment: String?
    public var amountFen: Int64?
    public var paidOn: LocalDate?
    public var channel: String?
}
