import LiushouPostgres

/// The 三留守 groups (and children in difficulty) a person can belong to, each for a period.
public enum PersonCategory: String, Sendable, Codable, CaseIterable {
    case leftBehindChild = "left_behind_child"
    case childInDifficulty = "child_in_difficulty"
    case leftBehindWoman = "left_behind_woman"
    case leftBehindElder = "left_behind_elder"

    /// Chinese name, as in ledgers.
    public var chineseName: String {
        switch self {
        case .leftBehindChild: return "留守儿童"
        case .childInDifficulty: return "困境儿童"
        case .leftBehindWoman: return "留守妇女"
        case .leftBehindElder: return "留守老人"
        }
    }

    /// Whether the category is about a child.
    public var isChild: Bool { self == .leftBehindChild || self == .childInDifficulty }
}

/// Membership of a category from `startedOn` until `endedOn` (open while `nil`).
public struct CategoryPeriod: Sendable, Codable, Equatable, Hashable {
    public var category: PersonCategory
    public var startedOn: LocalDate
    public var endedOn: LocalDate?

    public init(category: PersonCategory, startedOn: LocalDate, endedOn: LocalDate? = nil) {
        self.category = category
        self.startedOn = startedOn
        self.endedOn = endedOn
    }
}
