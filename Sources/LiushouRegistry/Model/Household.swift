import Foundation

/// A household (户): an address in a village (and grid) that persons belong to.
public struct Household: Sendable, Codable, Equatable {
    public var id: UUID
    public var villageId: UUID
    public var gridId: UUID?
    /// The ledger's household number (户编号), unique in the village.
    public var code: String?
    public var address: String
    public var version: Int
}
