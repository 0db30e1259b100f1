import Foundation

/// A matter (案由): the national list, or one a county added.
public struct LegalMatter: Sendable, Codable, Equatable {
    public var code: String
    public var name: String
    /// Aided regardless of means.
    public var meansFree: Bool
    /// The county that added it; null for the national list.
    public var countyId: UUID?
}
