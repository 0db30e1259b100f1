import Foundation
import LiushouPostgres

/// Directory facts about a unit (kind, path), read through the security-definer brief: callers
/// must check the path against their own scope before acting on it or revealing anything.
public enum UnitLookup {
    /// A unit's directory facts.
    public struct Brief: Sendable {
        public var id: UUID
        public var kind: String
        public var name: String
        public var path: String
    }

    /// The unit's facts, or `nil` when there is no such unit.
    public static func brief(_ id: UUID, in transaction: PostgresTransaction) async throws -> Brief? {
        try await transaction.query("select id, kind, name, path from liushou_unit_brief(\(id))").first.map { row in
            Brief(id: try row.decode("id"), kind: try row.decode("kind"), name: try row.decode("name"), path: try row.decode("path"))
        }
    }
}
