import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Households moved between the grids of their village, with their members and the history of moves.
struct HouseholdMoveStore: Sendable {
    struct MoveRecord: Encodable {
        var fromUnitId: UUID
        var toUnitId: UUID
        var movedAt: Date
        var movedByName: String?
    }

    /// A household locked for a move: where it is filed and its village.
    struct Household {
        var villageID: UUID
        var unitID: UUID
        var version: Int
        var path: String
        var villagePath: String
    }

    /// A household's moves, latest first.
    func moves(of household: UUID, in transaction: PostgresTransaction) async throws -> [MoveRecord] {
        guard try await transaction.query("select 1 from household where id = \(household)").first != nil else {
            throw ServiceError.notFound("No such household.")
        }
        return try await transaction.query(
            """
            select from_unit_id, to_unit_id, moved_at, moved_by_name from household_move where household_id = \(household) order by id desc
            """
        ).map { row in
            MoveRecord(
                fromUnitId: try row.decode("from_unit_id"),
                toUnitId: try row.decode("to_unit_id"),
                movedAt: try row.decode("moved_at"),
                movedByName: try row.decode("moved_by_name")
            )
        }
    }

    func lock(_ id: UUID, in transaction: PostgresTransaction) async throws -> Household? {
        guard
            let row = try await transaction.query(
                """
                select h.village_id, h.unit_id, h.version, (select b.path from liushou_unit_brief(h.unit_id) b) as path,
                    (select b.path from liushou_unit_brief(h.village_id) b) as village_path
                from household h where h.id = \(id) for update
                """
            ).first
        else { return nil }
        return Household(
            villageID: try row.decode("village_id"),
            unitID: try row.decode("unit_id"),
            version: try row.decode("version"),
            path: try row.decode("path"),
            villagePath: try row.decode("village_path")
        )
    }

    /// A unit's path, kind and whether it is active.
    func unit(_ id: UUID, in transaction: PostgresTransaction) async throws -> (path: String, kind: String, active: Bool)? {
        guard let row = try await transaction.query("select path::text as path, kind, active from org_unit where id = \(id)").first else {
            return nil
        }
        return (try row.decode("path"), try row.decode("kind"), try row.decode("active"))
    }

    /// Files the household under `unit` (its `grid`, or its village); its new version.
    func refile(_ id: UUID, grid: UUID?, unit: UUID, in transaction: PostgresTransaction) async throws -> Int? {
        try await transaction.query(
            """
            update household set grid_id = \(grid), unit_id = \(unit), version = version + 1, updated_at = now()
            where id = \(id) returning version
            """
        ).first?.decode("version", as: Int.self)
    }

    func recordMove(_ id: UUID, from oldUnit: UUID, to newUnit: UUID, by caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into household_move (household_id, from_unit_id, to_unit_id, moved_by, moved_by_name)
            values (\(id), \(oldUnit), \(newUnit), \(caller.accountID), \(caller.name))
            """
        )
    }

    /// Moves the household's active members who lived at its old unit with it (their files' `gridId`
    /// too); their ids.
    func moveMembers(of id: UUID, from oldUnit: UUID, grid: UUID?, unit: UUID, in transaction: PostgresTransaction) async throws -> [UUID] {
        let gridText = grid?.uuidString
        return try await transaction.query(
            """
            update person set grid_id = \(grid), unit_id = \(unit), version = version + 1, updated_at = now(),
                file = case when \(gridText)::text is null then file - 'gridId' else jsonb_set(file, '{gridId}', to_jsonb(\(gridText)::text)) end
            where household_id = \(id) and unit_id = \(oldUnit) and status = 'active'
            returning id
            """
        ).map { try $0.decode("id", as: UUID.self) }
    }

    /// One change of `gridId` per moved member in their files' histories.
    func recordMemberChanges(_ members: [UUID], oldGrid: UUID?, newGrid: UUID?, by caller: Caller, in transaction: PostgresTransaction) async throws {
        let change = UUID()
        try await transaction.query(
            """
            insert into person_change (person_id, change_id, account_id, account_name, action, field, old_value, new_value)
            select m, \(change), \(caller.accountID), \(caller.name), 'household.move', 'gridId', \(oldGrid?.uuidString),
                \(newGrid?.uuidString)
            from unnest(\(members)::uuid[]) as m
            """
        )
    }
}
