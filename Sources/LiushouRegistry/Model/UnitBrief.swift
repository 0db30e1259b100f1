import Foundation
import LiushouPostgres

/// Directory facts about an organisation unit, readable whatever the caller's scope.
public struct UnitBrief: Sendable, Equatable {
    public var id: UUID
    public var kind: String
    public var name: String
    public var path: String
    public var parentID: UUID?
    public var active: Bool

    /// The unit, or `nil` when there is none with this id.
    public static func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> UnitBrief? {
        guard let row = try await transaction.query("select * from liushou_unit_brief(\(id))").first else { return nil }
        return UnitBrief(
            id: try row.decode("id"),
            kind: try row.decode("kind"),
            name: try row.decode("name"),
            path: try row.decode("path"),
            parentID: try row.decode("parent_id"),
            active: try row.decode("active")
        )
    }
}
