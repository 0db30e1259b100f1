import Foundation
import LiushouPostgres

/// A change of a roll row's status; a transfer names the receiving school (of the county, by id) or one outside (by name).
public struct StatusChangeInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var toStatus: RollStatus
    public var effectiveOn: LocalDate
    public var reason: String?
    public var toSchoolId: UUID?
    public var toSchoolName: String?
}

/// A recorded status change.
public struct StatusChange: Sendable, Codable, Equatable {
    public var id: UUID
    public var enrolmentId: UUID
    public var personId: UUID
    public var schoolId: UUID
    public var fromStatus: RollStatus
    public var toStatus: RollStatus
    public var effectiveOn: LocalDate
    public var reason: String?
    public var toSchoolId: UUID?
    public var toSchoolName: String?
    public var recordedByName: String
    public var recordedAt: Date
}

/// What a status change did: the change, the row after it, the receiving school's row, the dropout case it opened or closed.
public struct StatusChangeResult: Sendable, Codable, Equatable {
    public var change: StatusChange
    public var enrolment: Enrolment
    public var receivingEnrolmentId: UUID?
    public var dropoutCase: DropoutCase?
    /// Follow-ups opened for the village cadre and the town's child-welfare supervisor.
    public var alerts: Int
}
