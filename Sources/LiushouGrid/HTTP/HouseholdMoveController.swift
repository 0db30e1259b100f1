import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `POST /v1/households/{id}/move` and `GET /v1/households/{id}/moves`: reassign a household to
/// another grid of its village (its members who lived at its old unit move with it) and keep the history.
public struct HouseholdMoveController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Move: Decodable {
        /// The new grid; an explicit `null` files the household directly under its village. The key is
        /// required, so an empty body never moves a household by accident.
        var gridId: UUID?

        private enum CodingKeys: String, CodingKey {
            case gridId
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard container.contains(.gridId) else {
                throw DecodingError.keyNotFound(
                    CodingKeys.gridId, .init(codingPath: [], debugDescription: "send a grid's id, or null for the village itself")
                )
            }
            self.gridId = try container.decodeNil(forKey: .gridId) ? nil : try container.decode(UUID.self, forKey: .gridId)
        }
    }

    struct MoveRecord: Encodable {
        var fromUnitId: UUID
        var toUnitId: UUID
        var movedAt: Date
        var movedByName: String?
    }

    struct Moved: Encodable {
        var householdId: UUID
        var unitId: UUID
        var version: Int
        var membersMoved: Int
    }

    struct Items: Encodable {
        var items: [MoveRecord]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/households/:id/move", .permission(.personsWrite)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: Move.self, context: context)
            return try await self.move(id, to: body.gridId, version: version, context, caller)
        }
        routes.on(.get, "/v1/households/:id/moves", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let moves = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from household where id = \(id)").first != nil else {
                    throw Problem.notFound("No such household.")
                }
                return try await transaction.query("""
                    select from_unit_id, to_unit_id, moved_at, moved_by_name from household_move where household_id = \(id) order by id desc
                    """).map { row in
                    MoveRecord(fromUnitId: try row.decode("from_unit_id"), toUnitId: try row.decode("to_unit_id"), movedAt: try row.decode("moved_at"),
                               movedByName: try row.decode("moved_by_name"))
                }
            }
            return try JSONResponse(Items(items: moves))
        }
    }

    private func move(_ id: UUID, to gridID: UUID?, version: Int, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        try await self.database.transaction(for: caller) { transaction in
            guard let row = try await transaction.query("""
                select h.village_id, h.unit_id, h.version, (select b.path from liushou_unit_brief(h.unit_id) b) as path,
                    (select b.path from liushou_unit_brief(h.village_id) b) as village_path
                from household h where h.id = \(id) for update
                """).first else { throw Problem.notFound("No such household.") }
            let villageID = try row.decode("village_id", as: UUID.self)
            let oldUnit = try row.decode("unit_id", as: UUID.self)
            let oldPath = try row.decode("path", as: String.self)
            let villagePath = try row.decode("village_path", as: String.self)
            guard caller.holds(.personsWrite, at: oldPath) else {
                throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: "You may not move households of this unit.")
            }
            let current = try row.decode("version", as: Int.self)
            guard current == version else { throw Problem.versionMismatch("household", current: current) }
            var newUnit = villageID
            var newPath = villagePath
            if let gridID {
                guard let grid = try await transaction.query("select path::text as path, kind, active from org_unit where id = \(gridID)").first,
                    try grid.decode("kind", as: String.self) == "grid", try grid.decode("active", as: Bool.self),
                    Caller.path(try grid.decode("path", as: String.self), isInside: villagePath)
                else { throw Problem.validation([.init(field: "gridId", message: "must be an active grid of the household's village in your scope")]) }
                newUnit = gridID
                newPath = try grid.decode("path", as: String.self)
            }
            guard caller.holds(.personsWrite, at: newPath) else {
                throw Problem.validation([.init(field: "gridId", message: "you may not file households there")])
            }
            guard newUnit != oldUnit else {
                throw Problem.validation([.init(field: "gridId", message: "the household is already there")])
            }
            let updated = try await transaction.query("""
                update household set grid_id = \(gridID), unit_id = \(newUnit), version = version + 1, updated_at = now()
                where id = \(id) returning version
                """).first?.decode("version", as: Int.self) ?? version + 1
            try await transaction.query("""
                insert into household_move (household_id, from_unit_id, to_unit_id, moved_by, moved_by_name)
                values (\(id), \(oldUnit), \(newUnit), \(caller.accountID), \(caller.name))
                """)
            let gridText = gridID?.uuidString
            let members = try await transaction.query("""
                update person set grid_id = \(gridID), unit_id = \(newUnit), version = version + 1, updated_at = now(),
                    file = case when \(gridText)::text is null then file - 'gridId' else jsonb_set(file, '{gridId}', to_jsonb(\(gridText)::text)) end
                where household_id = \(id) and unit_id = \(oldUnit) and status = 'active'
                returning id
                """).map { try $0.decode("id", as: UUID.self) }
            if !members.isEmpty {
                let change = UUID()
                try await transaction.query("""
                    insert into person_change (person_id, change_id, account_id, account_name, action, field, old_value, new_value)
                    select m, \(change), \(caller.accountID), \(caller.name), 'household.move', 'gridId', \(oldUnit == villageID ? nil : oldUnit.uuidString),
                        \(gridText)
                    from unnest(\(members)::uuid[]) as m
                    """)
                try await transaction.query("""
                    insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
                    select gen_random_uuid(), m, 'grid', 'household.moved', '户调整网格', \(caller.name), \(id.uuidString.lowercased())
                    from unnest(\(members)::uuid[]) as m
                    """)
            }
            try await AuditEntry(caller: caller, context: context, action: "household.move", resource: "household", recordID: id.uuidString.lowercased(),
                                 unitID: newUnit, unitPath: newPath, detail: ["from": oldPath, "to": newPath, "members": String(members.count)])
                .append(in: transaction)
            return try JSONResponse(Moved(householdId: id, unitId: newUnit, version: updated, membersMoved: members.count),
                                    headers: [.eTag: "\"\(updated)\""])
        }
    }
}
