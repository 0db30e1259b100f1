import Foundation
import LiushouPostgres

/// The stage of a roll row (the registry's stages that attend a school).
public enum RollStage: String, Sendable, Codable, CaseIterable {
    case kindergarten
    case primary
    case juniorSecondary = "junior_secondary"
    case seniorSecondary = "senior_secondary"
    case vocational

    /// The highest grade of the stage (幼儿园 小中大班 1–3, 小学 1–6, the rest 1–3).
    public var maxGrade: Int { self == .primary ? 6 : 3 }
}

/// A child's status on a school's roll.
public enum RollStatus: String, Sendable, Codable, CaseIterable {
    /// 在读.
    case enrolled
    /// 休学.
    case suspended
    /// 长期缺勤.
    case longAbsence = "long_absence"
    /// 辍学: stays on the roll while the dropout case (控辍保学) is open.
    case droppedOut = "dropped_out"
    /// 转出: closes the row; a school of the county opens its own.
    case transferredOut = "transferred_out"
    /// 毕业 / 完成学业: closes the row.
    case completed

    /// Whether the row stays open (the child is still on this roll).
    public var isOpen: Bool { self != .transferredOut && self != .completed }

    /// Whether changing to this status alerts the village cadre and the town's supervisor.
    public var raisesAlert: Bool { [.transferredOut, .suspended, .droppedOut, .longAbsence].contains(self) }

    /// Chinese name for timelines.
    public var chineseName: String {
        switch self {
        case .enrolled: return "在读"
        case .suspended: return "休学"
        case .longAbsence: return "长期缺勤"
        case .droppedOut: return "辍学"
        case .transferredOut: return "转出"
        case .completed: return "毕业"
        }
    }
}

/// A child put on a school's roll, with a client-chosen id (retries answer the stored row).
public struct EnrolmentInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var schoolId: UUID
    public var stage: RollStage
    public var grade: Int
    public var className: String?
    /// The class teacher's account (school staff of the school).
    public var classTeacherId: UUID?
    public var boarding: Bool
    public var enrolledOn: LocalDate
}

/// A row of a school's roll: one stay of a child at a school.
public struct Enrolment: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    /// The child's name while the caller may see the child.
    public var personName: String?
    public var schoolId: UUID
    public var schoolName: String?
    public var stage: RollStage
    public var grade: Int
    public var className: String?
    public var classTeacherId: UUID?
    public var boarding: Bool
    public var enrolledOn: LocalDate
    public var status: RollStatus
    public var endedOn: LocalDate?
    /// The previous school's row, for a transfer inside the county.
    public var transferredFrom: UUID?
    public var transferToSchoolId: UUID?
    public var transferToName: String?
    public var version: Int
}

/// A child's placement on an open roll row (`PUT /v1/enrolments/:id` replaces every field).
struct Placement: Codable {
    var stage: RollStage
    var grade: Int
    var className: String?
    var classTeacherId: UUID?
    var boarding: Bool
}
