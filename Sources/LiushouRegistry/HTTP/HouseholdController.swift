import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/households`: create a household and read it with its members.
struct HouseholdController: Sendable {
    let database: TenantDatabase
    let store: HouseholdStore

    struct CreateRequest: Decodable {
        var id: UUID?
        var villageId: UUID
        var gridId: UUID?
        var code: String?
        var address: String
    }

    struct HouseholdWithMembers: Encodable {
        var household: Household
        var members: [HouseholdStore.Member]
    }

    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let result = try await self.database.transaction(for: caller) { transaction in
            guard let household = try await self.store.find(id, in: transaction) else { throw Problem.notFound("No such household.") }
            return HouseholdWithMembers(household: household, members: try await self.store.members(of: id, in: transaction))
        }
        return try JSONResponse(result, headers: [.eTag: "\"\(result.household.version)\""])
    }

    /// Creates a household in a village (and grid) the caller may write in; repeating the same
    /// create answers the stored household.
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: CreateRequest.self, context: context)
        let address = body.address.trimmingCharacters(in: .whitespacesAndNewlines)
        let code = body.code?.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [Problem.FieldError] = []
        if !(1...200).contains(address.unicodeScalars.count) { problems.append(.init(field: "address", message: "must have 1 to 200 characters")) }
        if let code, !(1...40).contains(code.unicodeScalars.count) { problems.append(.init(field: "code", message: "must have 1 to 40 characters")) }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        let id = try request.createdID(body.id, by: caller)
        // A concurrent create of the same id runs again and answers from the stored household.
        return try await DuplicateRetry.once(
            primaryKey: "household_pkey",
            record: "household",
            uniqueProblems: ["household_code": Self.codeTaken]
        ) {
            try await self.database.transaction(for: caller) { transaction in
                guard let village = try await UnitBrief.load(body.villageId, in: transaction), village.kind == "village", village.active,
                    caller.reaches(village.path), body.gridId != nil || caller.holds(.personsWrite, at: village.path)
                else { throw Problem.validation([.init(field: "villageId", message: "no such active village in your scope")]) }
                var unit = village
                if let gridID = body.gridId {
                    guard let grid = try await UnitBrief.load(gridID, in: transaction), grid.kind == "grid",
                        Caller.path(grid.path, isInside: village.path),
                        caller.holds(.personsWrite, at: grid.path)
                    else { throw Problem.validation([.init(field: "gridId", message: "must be a grid of the village in your scope")]) }
                    unit = grid
                }
                let household = Household(id: id, villageId: village.id, gridId: body.gridId, code: code, address: address, version: 1)
                if let existing = try await self.store.find(id, in: transaction) {
                    guard existing == household else { throw Problem.idConflict("household") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return try JSONResponse(existing, headers: [.eTag: "\"\(existing.version)\""])
                }
                try await self.store.insert(household, unit: unit.id, in: transaction)
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "household.create",
                    resource: "household",
                    recordID: id.uuidString.lowercased(),
                    unitID: unit.id,
                    unitPath: unit.path
                ).append(in: transaction)
                return try JSONResponse(
                    household,
                    status: .created,
                    headers: [.eTag: "\"1\"", .location: "/v1/households/\(id.uuidString.lowercased())"]
                )
            }
        }
    }

    static let codeTaken = Problem(
        status: .conflict,
        code: "code_taken",
        title: "Household number in use",
        detail: "Another household of the village has this number.",
        errors: [.init(field: "code", message: "is already used")]
    )
}
