import Foundation
import LiushouPostgres

/// How worrying a counselling session found the child.
public enum CounsellingRisk: String, Sendable, Codable, CaseIterable {
    case low, medium, high
}

/// A counselling session (心理辅导) as the counsellor records it.
public struct CounsellingInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var heldOn: LocalDate
    public var issue: String
    public var notes: String?
    public var plan: String?
    public var riskLevel: CounsellingRisk
}

/// A session with its details (the school's counsellors and the town supervisor only).
public struct CounsellingSession: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var schoolId: UUID
    public var heldOn: LocalDate
    public var issue: String
    public var notes: String?
    public var plan: String?
    public var riskLevel: CounsellingRisk
    public var counsellorName: String
}

/// A child's counselling as the caller may see it: that sessions happened, and details where allowed.
public struct CounsellingView: Sendable, Codable, Equatable {
    /// That a session happened: date and school only.
    public struct Held: Sendable, Codable, Equatable {
        public var heldOn: LocalDate
        public var schoolId: UUID
        public var schoolName: String
    }

    public var personId: UUID
    public var sessions: [Held]
    /// Present only for a counsellor of the session's school or the town supervisor (each read audited).
    public var details: [CounsellingSession]?
}

/// A counsellor designated at a school.
public struct Counsellor: Sendable, Codable, Equatable {
    public var id: UUID
    public var schoolId: UUID
    public var accountId: UUID
    public var designatedAt: Date
    public var revokedAt: Date?
}
