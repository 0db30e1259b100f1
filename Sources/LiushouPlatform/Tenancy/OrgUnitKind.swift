/// Kinds of organisation unit and where each may sit in the tree.
public enum OrgUnitKind: String, Sendable, Codable, CaseIterable {
    case county
    case town
    case village
    case grid
    case school
    case clinic

    /// Kinds a parent of this kind may have as children.
    public var allowedParents: Set<OrgUnitKind> {
        switch self {
        case .county: return []
        case .town: return [.county]
        case .village: return [.town]
        case .grid: return [.village, .grid]
        case .school, .clinic: return [.town]
        }
    }

    /// Whether units of this kind carry a 12-digit 统计用区划代码.
    public var requiresCode: Bool {
        self == .town || self == .village
    }
}
