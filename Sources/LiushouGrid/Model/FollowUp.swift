import Foundation

/// A need found at a visit or a checkup (or raised by a school status change), routed to a role.
struct FollowUp: Encodable {
    var id: UUID
    /// The door check that found the need, or
    var checkId: UUID?
    /// the checkup that asked for a follow-up (health), or
    var checkupId: UUID?
    /// the school status change that raised an alert (schooling).
    var schoolStatusChangeId: UUID?
    var personId: UUID?
    /// The person's name (as the caller's row-level view shows it), for lists.
    var personName: String?
    var householdId: UUID?
    var need: String
    var routedRole: String
    var status: String
    var openedAt: Date
    var resolvedAt: Date?
    var resolution: String?
    var version: Int
    /// Whether the caller may resolve it; overseers see clinical follow-ups they may not resolve.
    var canResolve: Bool
}
