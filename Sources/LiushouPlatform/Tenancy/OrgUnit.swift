import Foundation
import LiushouPostgres

/// An organisation unit: a node of the county's tree.
public struct OrgUnit: Sendable, Codable, Equatable {
    public var id: UUID
    public var kind: OrgUnitKind
    public var name: String
    public var code: String?
    public var parentId: UUID?
    public var path: String
    public var active: Bool
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// The `ltree` label of a unit id.
    public static func label(for id: UUID) -> String {
        "u" + id.uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

}

extension OrgUnit {
    static let columns: SQLQuery = "id, kind, name, code, parent_id, path::text as path, active, version, created_at, updated_at"

    init(row: PostgresRow) throws {
        self.id = try row.decode("id")
        self.kind = OrgUnitKind(rawValue: try row.decode("kind", as: String.self)) ?? .grid
        self.name = try row.decode("name")
        self.code = try row.decode("code")
        self.parentId = try row.decode("parent_id")
        self.path = try row.decode("path")
        self.active = try row.decode("active")
        self.version = try row.decode("version", as: Int.self)
        self.createdAt = try row.decode("created_at")
        self.updatedAt = try row.decode("updated_at")
    }
}
