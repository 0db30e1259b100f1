import Foundation

/// A case in a list (the office's lists, the overdue list): no facts or parties.
public struct LegalCaseRow: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var personName: String?
    public var unitId: UUID
    public var matter: String
    public var stage: LegalStage
    public var urgency: LegalUrgency
    public var openedAt: Date
    public var assigneeName: String?
    public var firstContactDue: Date?
    public var overdue: Bool
    public var version: Int
}
