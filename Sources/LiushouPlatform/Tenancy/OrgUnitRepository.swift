import Foundation
import LiushouPostgres

/// Storage of organisation units. Every call runs inside a caller-scoped transaction, so units
/// outside the caller's subtrees do not exist for it.
public protocol OrgUnitRepository: Sendable {
    func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> OrgUnit?
    /// Reads a unit under a share lock: it cannot move or be deactivated until the transaction ends.
    func findLockedForShare(_ id: UUID, in transaction: PostgresTransaction) async throws -> OrgUnit?
    /// Locks a unit's whole subtree, and optionally one more unit, for update (in id order, so concurrent moves serialise).
    func lockSubtree(of path: String, and other: UUID?, in transaction: PostgresTransaction) async throws
    func children(of parentID: UUID, in transaction: PostgresTransaction) async throws -> [OrgUnit]
    func insert(_ unit: OrgUnit, in transaction: PostgresTransaction) async throws
    func rename(_ id: UUID, to name: String, expectedVersion: Int, in transaction: PostgresTransaction) async throws -> OrgUnit?
    func move(_ unit: OrgUnit, under parent: OrgUnit, in transaction: PostgresTransaction) async throws -> OrgUnit
    func deactivate(_ id: UUID, expectedVersion: Int, in transaction: PostgresTransaction) async throws -> OrgUnit?
    func hasActiveChildren(_ id: UUID, in transaction: PostgresTransaction) async throws -> Bool
    /// The villages a clinic serves.
    func serviceArea(of clinicID: UUID, in transaction: PostgresTransaction) async throws -> [UUID]
    func replaceServiceArea(
        of clinicID: UUID,
        with villageIDs: Set<UUID>,
        expectedVersion: Int?,
        in transaction: PostgresTransaction
    ) async throws -> Int?
}

/// `OrgUnitRepository` on PostgreSQL.
public struct PostgresOrgUnitRepository: OrgUnitRepository {
    public init() {}

    public func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> OrgUnit? {
        try await transaction.query("select \(OrgUnit.columns) from org_unit where id = \(id)").first.map(OrgUnit.init(row:))
    }

    public func findLockedForShare(_ id: UUID, in transaction: PostgresTransaction) async throws -> OrgUnit? {
        try await transaction.query("select \(OrgUnit.columns) from org_unit where id = \(id) for share").first.map(OrgUnit.init(row:))
    }

    public func lockSubtree(of path: String, and other: UUID?, in transaction: PostgresTransaction) async throws {
        try await transaction.query("select id from org_unit where path <@ \(path)::ltree or id = \(other) order by id for update")
    }

    public func children(of parentID: UUID, in transaction: PostgresTransaction) async throws -> [OrgUnit] {
        try await transaction.query("select \(OrgUnit.columns) from org_unit where parent_id = \(parentID) order by kind, name, id")
            .map(OrgUnit.init(row:))
    }

    public func insert(_ unit: OrgUnit, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into org_unit (id, kind, name, code, parent_id, path)
            values (\(unit.id), \(unit.kind.rawValue), \(unit.name), \(unit.code), \(unit.parentId), \(unit.path)::ltree)
            """
        )
    }

    public func rename(_ id: UUID, to name: String, expectedVersion: Int, in transaction: PostgresTransaction) async throws -> OrgUnit? {
        try await transaction.query(
            """
            update org_unit set name = \(name), version = version + 1, updated_at = now()
            where id = \(id) and version = \(expectedVersion) returning \(OrgUnit.columns)
            """
        ).first.map(OrgUnit.init(row:))
    }

    public func move(_ unit: OrgUnit, under parent: OrgUnit, in transaction: PostgresTransaction) async throws -> OrgUnit {
        let newPath = parent.path + "." + OrgUnit.label(for: unit.id)
        try await transaction.query(
            """
            update org_unit set updated_at = now(),
                path = case when id = \(unit.id) then \(newPath)::ltree
                            else \(newPath)::ltree || subpath(path, nlevel(\(unit.path)::ltree)) end,
                version = version + case when id = \(unit.id) then 1 else 0 end,
                parent_id = case when id = \(unit.id) then \(parent.id) else parent_id end
            where path <@ \(unit.path)::ltree
            """
        )
        guard let moved = try await self.find(unit.id, in: transaction) else { throw DatabaseError.serializationFailure }
        return moved
    }

    public func deactivate(_ id: UUID, expectedVersion: Int, in transaction: PostgresTransaction) async throws -> OrgUnit? {
        try await transaction.query(
            """
            update org_unit set active = false, version = version + 1, updated_at = now()
            where id = \(id) and version = \(expectedVersion) returning \(OrgUnit.columns)
            """
        ).first.map(OrgUnit.init(row:))
    }

    public func hasActiveChildren(_ id: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select exists (select from org_unit where parent_id = \(id) and active) as present")
            .first?.decode("present", as: Bool.self) ?? false
    }

    public func serviceArea(of clinicID: UUID, in transaction: PostgresTransaction) async throws -> [UUID] {
        try await transaction.query("select village_id from clinic_service_area where clinic_id = \(clinicID) order by village_id")
            .map { try $0.decode("village_id", as: UUID.self) }
    }

    /// Replaces a clinic's villages, as a change of the clinic: its version goes up, and the update's row
    /// lock makes a concurrent replacement wait for this one. `nil` when the clinic is no longer at
    /// `expectedVersion` (nothing changed).
    public func replaceServiceArea(
        of clinicID: UUID,
        with villageIDs: Set<UUID>,
        expectedVersion: Int?,
        in transaction: PostgresTransaction
    ) async throws -> Int? {
        guard
            let version = try await transaction.query(
                """
                update org_unit set version = version + 1, updated_at = now()
                where id = \(clinicID) and (\(expectedVersion)::integer is null or version = \(expectedVersion)::integer) returning version
                """
            ).first?.decode("version", as: Int.self)
        else { return nil }
        try await transaction.query("delete from clinic_service_area where clinic_id = \(clinicID)")
        for villageID in villageIDs {
            try await transaction.query("insert into clinic_service_area (clinic_id, village_id) values (\(clinicID), \(villageID))")
        }
        return version
    }
}
