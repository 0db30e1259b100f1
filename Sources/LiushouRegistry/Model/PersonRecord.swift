import Foundation
import LiushouPostgres

/// A stored person file: the content plus identity, status, completeness and sign-off.
public struct PersonRecord: Sendable, Codable, Equatable {
    /// Active or exited (files are never deleted).
    public enum Status: String, Sendable, Codable {
        case active
        case exited
    }

    public var id: UUID
    public var version: Int
    public var status: Status
    public var exitReason: ExitReason?
    public var exitedOn: LocalDate?
    public var file: PersonFile
    /// Whether every field the person's categories require is present (建档 completeness).
    public var complete: Bool
    /// The required fields still missing.
    public var missingFields: [String]
    /// A child without a capable guardian (an alert).
    public var noCapableGuardian: Bool
    /// The path of the person's unit (grid, else village).
    public var unitPath: String
    public var filledBy: UUID?
    public var checkedBy: UUID?
    public var checkedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// The year of birth, in responses (which omit the full date unless identifiers are revealed).
    public var birthYear: Int? = nil
}
