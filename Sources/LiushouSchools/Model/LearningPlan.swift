import Foundation
import LiushouPostgres

/// A subject a learning plan helps with.
public enum LearningSubject: String, Sendable, Codable, CaseIterable {
    case chinese, mathematics, english, science, reading, other
}

/// How a child progressed since the last check.
public enum LearningProgress: String, Sendable, Codable, CaseIterable {
    case improved, steady, declined
}

/// A learning help plan (学习帮扶计划) as the teacher writes it.
public struct LearningPlanInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var subjects: [LearningSubject]
    public var goals: String
    public var measures: String?
    public var startOn: LocalDate
    public var reviewOn: LocalDate
    /// The child's learning-buddy pairing; left out, the child's one running learning-buddy pairing is linked if there is one.
    public var pairingId: UUID?
}

/// A progress check of a plan (进步档案).
public struct LearningCheckInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var checkedOn: LocalDate
    public var progress: LearningProgress
    public var notes: String?
}

/// A stored progress check.
public struct LearningCheck: Sendable, Codable, Equatable {
    public var id: UUID
    public var planId: UUID
    public var checkedOn: LocalDate
    public var progress: LearningProgress
    public var notes: String?
    public var checkedByName: String
}

/// A stored plan with its checks.
public struct LearningPlan: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var schoolId: UUID
    public var subjects: [LearningSubject]
    public var goals: String
    public var measures: String?
    public var startOn: LocalDate
    public var reviewOn: LocalDate
    public var pairingId: UUID?
    public var teacherName: String
    public var checks: [LearningCheck]
}
