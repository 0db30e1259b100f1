import Foundation
import LiushouPostgres

/// How something developed since the pairing began or the last check.
public enum Trend: String, Sendable, Codable, CaseIterable {
    case improved
    case steady
    case declined
}

/// A periodic effect check of a pairing for one person (进步档案), as a client sends it.
public struct ProgressCheckInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var assessedOn: LocalDate
    /// Progress in study (children).
    public var study: Trend?
    public var mood: Trend
    public var living: Trend
    public var notes: String?
}

/// A stored effect check.
public struct ProgressCheck: Sendable, Codable, Equatable {
    public var id: UUID
    public var pairingId: UUID
    public var personId: UUID
    public var assessedOn: LocalDate
    public var study: Trend?
    public var mood: Trend
    public var living: Trend
    public var notes: String?
    public var assessorName: String
}
