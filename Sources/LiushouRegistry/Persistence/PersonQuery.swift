import Foundation

/// Filters and page of a person list, and who may see what (the Swift half of the access rule;
/// row-level security is the other).
public struct PersonQuery: Sendable {
    /// Unit paths where every file is visible.
    public var areaPaths: [String] = []
    /// Schools whose enrolled children are visible.
    public var schoolPaths: [String] = []
    /// Clinics whose served villages' people are visible.
    public var clinicPaths: [String] = []
    /// The account whose assigned (paired) people are visible.
    public var assignedTo: UUID?

    public var category: PersonCategory?
    /// Only files in this unit's subtree.
    public var unitID: UUID?
    public var gridID: UUID?
    public var riskLevel: RiskLevel?
    public var schoolStage: SchoolStage?
    public var guardianshipType: GuardianshipType?
    public var status: PersonRecord.Status?
    public var schoolID: UUID?
    public var noCapableGuardian: Bool?
    /// Substring of the name.
    public var nameContains: String?
    /// Keyset: the last row of the previous page.
    public var after: (name: String, id: UUID)?
    public var limit: Int = 50

    /// An empty query (sees nothing until scopes are set).
    public init() {}
}
