import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `POST /v1/households/{id}/move` and `GET /v1/households/{id}/moves`: reassign a household to
/// another grid of its village (its members who lived at its old unit move with it) and keep the history.
struct HouseholdMoveController: Sendable {
    let database: TenantDatabase
    let store: HouseholdMoveStore

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
                    CodingKeys.gridId,
                    .init(codingPath: [], debugDescription: "send a grid's id, or null for the village itself")
                )
            }
            self.gridId = try container.decodeNil(forKey: .gridId) ? nil : try container.decode(UUID.self, forKey: .gridId)
        }
    }

    struct Moved: Encodable {
        var householdId: UUID
        var unitId: UUID
        var version: Int
        var membersMoved: Int
    }

    /// The household's moves, latest first.
    @Sendable func moves(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let moves = try await self.database.transaction(for: caller) { transaction in
            try await self.store.moves(of: id, in: transaction)
        }
        return try JSONResponse(Items(items: moves))
    }

    /// Moves a household (`If-Match` its version) to a grid of its village, or to the village itself.
    @Sendable func move(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let gridID = try await request.decodeJSON(as: Move.self, context: context).gridId
        return try await self.database.transaction(for: caller) { transaction in
            guard let household = try await self.store.lock(id, in: transaction) else { throw Problem.notFound("No such household.") }
            let villageID = household.villageID
            let oldUnit = household.unitID
            let oldPath = household.path
            let villagePath = household.villagePath
            guard caller.holds(.personsWrite, at: oldPath) else {
                throw Problem.forbidden("You may not move households of this unit.")
            }
            let current = household.version
            guard current == version else { throw Problem.versionMismatch("household", current: current) }
            var newUnit = villageID
            var newPath = villagePath
            if let gridID {
                guard let grid = try await self.store.unit(gridID, in: transaction), grid.kind == "grid", grid.active,
                    Caller.path(grid.path, isInside: villagePath)
                else {
                    throw Problem.validation([.init(field: "gridId", message: "must be an active grid of the household's village in your scope")])
                }
                newUnit = gridID
                newPath = grid.path
            }
            guard caller.holds(.personsWrite, at: newPath) else {
                throw Problem.validation([.init(field: "gridId", message: "you may not file households there")])
            }
            guard newUnit != oldUnit else {
                throw Problem.validation([.init(field: "gridId", message: "the household is already there")])
            }
            let updated = try await self.store.refile(id, grid: gridID, unit: newUnit, in: transaction) ?? version + 1
            try await self.store.recordMove(id, from: oldUnit, to: newUnit, by: caller, in: transaction)
            let members = try await self.store.moveMembers(of: id, from: oldUnit, grid: gridID, unit: newUnit, in: transaction)
            if !members.isEmpty {
                try await self.store.recordMemberChanges(
                    members,
                    oldGrid: oldUnit == villageID ? nil : oldUnit,
                    newGrid: gridID,
                    by: caller,
                    in: transaction
                )
                try await PersonTimeline.append(
                    members.map {
                        .init(
                            person: $0,
                            module: "grid",
                            kind: "household.moved",
                            summary: "户调整网格",
                            accountName: caller.name,
                            recordID: id.uuidString.lowercased()
                        )
                    },
                    in: transaction
                )
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "household.move",
                resource: "household",
                recordID: id.uuidString.lowercased(),
                unitID: newUnit,
                unitPath: newPath,
                detail: ["from": oldPath, "to": newPath, "members": String(members.count)]
            )
            .append(in: transaction)
            return try JSONResponse(
                Moved(householdId: id, unitId: newUnit, version: updated, membersMoved: members.count),
                headers: [.eTag: "\"\(updated)\""]
            )
        }
    }
}
