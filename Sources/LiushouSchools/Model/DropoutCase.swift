import Foundation
import LiushouPostgres

/// A dropout-control case (控辍保学): open until the child is back in school or the town closes it.
public struct DropoutCase: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var personName: String?
    public var enrolmentId: UUID
    public var schoolId: UUID
    public var unitId: UUID
    public var openedOn: LocalDate
    /// `open` or `closed`.
    public var status: String
    public var closedOn: LocalDate?
    /// `returned` (back in school) or `closed_by_town`.
    public var closedHow: String?
    public var closeReason: String?
    public var version: Int
}
