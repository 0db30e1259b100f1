import Foundation
import LiushouPostgres

/// A kind of family contact; the first five are the "五个一".
public enum FamilyContactKind: String, Sendable, Codable, CaseIterable {
    /// 亲情电话 (每周一个电话).
    case phone
    /// 视频 (counts as the week's call).
    case video
    /// 每月一封信.
    case letter
    /// The parents' monthly contact with the class teacher.
    case classTeacher = "class_teacher"
    /// The parents' monthly contact with a subject teacher.
    case subjectTeacher = "subject_teacher"
    /// 每年至少回家一次.
    case homeVisit = "home_visit"
    /// The school's monthly feedback to the migrant parents (每月向家长反馈).
    case schoolFeedback = "school_feedback"
}

/// Who in the family the contact was with.
public enum FamilyMember: String, Sendable, Codable, CaseIterable {
    case father, mother
    case bothParents = "both_parents"
    case otherFamily = "other_family"
}

/// A family contact as the school logs it.
public struct FamilyContactInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var occurredOn: LocalDate
    public var kind: FamilyContactKind
    public var withWhom: FamilyMember
    public var notes: String?
}

/// A logged family contact.
public struct FamilyContact: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var schoolId: UUID
    public var occurredOn: LocalDate
    public var kind: FamilyContactKind
    public var withWhom: FamilyMember
    public var notes: String?
    public var recordedByName: String
}

/// One child's "五个一" in a month: counts per kind and whether each target was met.
public struct FiveOnes: Sendable, Codable, Equatable {
    /// Whether each target was met.
    public struct Met: Sendable, Codable, Equatable {
        /// A phone or video call in each of the month's four weeks (days 1–7, 8–14, 15–21, 22 to the end).
        public var weeklyCall: Bool
        public var monthlyLetter: Bool
        public var classTeacher: Bool
        public var subjectTeacher: Bool
        /// A home visit in the 12 months up to the month's end.
        public var yearlyHomeVisit: Bool
        /// The school's feedback to the parents this month.
        public var monthlyFeedback: Bool
    }

    public var personId: UUID
    public var personName: String?
    public var calls: Int
    public var weeksWithCall: Int
    public var letters: Int
    public var classTeacherContacts: Int
    public var subjectTeacherContacts: Int
    public var homeVisitsLast12Months: Int
    public var feedback: Int
    public var met: Met
}
