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

    /// A row of `liushou_unit_brief` or `liushou_unit_by_name`.
    init(row: PostgresRow) throws {
        self.id = try row.decode("id")
        self.kind = try row.decode("kind")
        self.name = try row.decode("name")
        self.path = try row.decode("path")
        self.parentID = try row.decode("parent_id")
        self.active = try row.decode("active")
    }

    /// The unit, or `nil` when there is none with this id.
    public static func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> UnitBrief? {
        guard let row = try await transaction.query("select * from liushou_unit_brief(\(id))").first else { return nil }
        return try UnitBrief(row: row)
    }
}
