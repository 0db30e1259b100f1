import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/households`: create a household and read it with its members.
public struct HouseholdController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct CreateRequest: Decodable {
        var id: UUID?
        var villageId: UUID
        var gridId: UUID?
        var code: String?
        var address: String
    }

    struct HouseholdWithMembers: Encodable {
        var household: Household
        var members: [Member]
    }

    struct Member: Encodable {
        var id: UUID
        var name: String
        var categories: [String]
        var status: String
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/households", .permission(.personsWrite)) { request, context, caller in
            let body = try await request.decodeJSON(as: CreateRequest.self, context: context)
            return try await self.create(body, context, caller)
        }
        routes.on(.get, "/v1/households/:id", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let result = try await self.database.transaction(for: caller) { transaction in
                guard let household = try await self.find(id, in: transaction) else { throw Problem.notFound("No such household.") }
                let members = try await transaction.query("""
                    select id, name, categories, status from person where household_id = \(id) order by name, id
                    """).map { row in
                    Member(id: try row.decode("id"), name: try row.decode("name"), categories: try row.decode("categories"),
                           status: try row.decode("status"))
                }
                return HouseholdWithMembers(household: household, members: members)
            }
            return try JSONResponse(result, headers: [.eTag: "\"\(result.household.version)\""])
        }
    }

    private func create(_ body: CreateRequest, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let address = body.address.trimmingCharacters(in: .whitespacesAndNewlines)
        let code = body.code?.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [Problem.FieldError] = []
        if !(1...200).contains(address.count) { problems.append(.init(field: "address", message: "must have 1 to 200 characters")) }
        if let code, !(1...40).contains(code.count) { problems.append(.init(field: "code", message: "must have 1 to 40 characters")) }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let id = body.id ?? UUID()
        return try await self.database.transaction(for: caller) { transaction in
            guard let village = try await UnitBrief.load(body.villageId, in: transaction), village.kind == "village", village.active,
                body.gridId != nil || caller.holds(.personsWrite, at: village.path)
            else { throw Problem.validation([.init(field: "villageId", message: "no such active village in your scope")]) }
            var unit = village
            if let gridID = body.gridId {
                guard let grid = try await UnitBrief.load(gridID, in: transaction), grid.kind == "grid", Caller.path(grid.path, isInside: village.path),
                    caller.holds(.personsWrite, at: grid.path)
                else { throw Problem.validation([.init(field: "gridId", message: "must be a grid of the village in your scope")]) }
                unit = grid
            }
            let household = Household(id: id, villageId: village.id, gridId: body.gridId, code: code, address: address, version: 1)
            if let existing = try await self.find(id, in: transaction) {
                guard existing == household else {
                    throw Problem.idConflict("household")
                }
                return try JSONResponse(existing, headers: [.eTag: "\"\(existing.version)\""])
            }
            do {
                try await transaction.query("""
                    insert into household (id, village_id, grid_id, unit_id, code, address)
                    values (\(id), \(village.id), \(body.gridId), \(unit.id), \(code), \(address))
                    """)
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "household_pkey" {
                throw Problem.idConflict("household")
            } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "household_code" {
                throw Problem(status: .conflict, code: "code_taken", title: "Household number in use",
                              detail: "Another household of the village has this number.", errors: [.init(field: "code", message: "is already used")])
            }
            try await AuditEntry(caller: caller, context: context, action: "household.create", resource: "household",
                                 recordID: id.uuidString.lowercased(), unitID: unit.id, unitPath: unit.path).append(in: transaction)
            return try JSONResponse(household, status: .created,
                                    headers: [.eTag: "\"1\"", .location: "/v1/households/\(id.uuidString.lowercased())"])
        }
    }

    private func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> Household? {
        guard let row = try await transaction.query("select id, village_id, grid_id, code, address, version from household where id = \(id)").first
        else { return nil }
        return Household(id: try row.decode("id"), villageId: try row.decode("village_id"), gridId: try row.decode("grid_id"),
                         code: try row.decode("code"), address: try row.decode("address"), version: try row.decode("version"))
    }
}
