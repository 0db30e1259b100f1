import Foundation
import LiushouPostgres

/// What a heart-to-heart talk was about.
public enum TalkTopic: String, Sendable, Codable, CaseIterable {
    case study, family, friends, health, safety, feelings, other
}

/// The child's mood in a talk.
public enum TalkMood: String, Sendable, Codable, CaseIterable {
    case good, ordinary, low, worrying
}

/// A class teacher's monthly talk with a child (谈心记录卡).
public struct TalkInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var talkedOn: LocalDate
    public var topics: [TalkTopic]
    public var mood: TalkMood
    public var concerns: String?
}

/// A recorded talk.
public struct Talk: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var enrolmentId: UUID
    public var schoolId: UUID
    public var talkedOn: LocalDate
    public var topics: [TalkTopic]
    public var mood: TalkMood
    public var concerns: String?
    public var teacherName: String
}

/// A child on the roll with no talk in the month.
public struct TalkDue: Sendable, Codable, Equatable {
    public var personId: UUID
    public var personName: String?
    public var enrolmentId: UUID
    public var grade: Int
    public var className: String?
    public var classTeacherId: UUID?
    public var status: RollStatus
    /// The last talk before the month, if any.
    public var lastTalkOn: LocalDate?
}
