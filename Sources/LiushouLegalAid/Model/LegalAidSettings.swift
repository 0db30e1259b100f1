import Foundation
import LiushouRegistry

/// A county's legal-aid rules (defaults until the county sets its own: version 0).
public struct LegalAidSettings: Sendable, Codable, Equatable {
    public var countyId: UUID
    /// Assistance recorded in the registry that counts as economic hardship (低保, 特困 by default).
    public var hardshipAssistance: [AssistanceKind]
    /// Person categories aided regardless of means (minors always are).
    public var meansFreeCategories: [PersonCategory]
    /// Days allowed for the first contact after assignment.
    public var firstContactDays: Int
    public var version: Int
}
