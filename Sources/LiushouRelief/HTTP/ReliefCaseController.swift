import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/cases`: raise a case, read one with its transitions, list a unit's or a person's cases.
struct ReliefCaseController: Sendable {
    let database: TenantDatabase
    let store: ReliefCaseStore
    let filing: ReliefCaseFiling

    /// 201 with a new case, 200 with the stored one for a retry (same id, same content).
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: ReliefCaseInput.self, context: context)
        let outcome: ReliefCaseFiling.Outcome
        do {
            outcome = try await DuplicateRetry.once(primaryKey: "relief_case_pkey", record: "relief case") {
                try await self.database.transaction(for: caller) { transaction in
                    try await self.filing.file(input, caller: caller, origin: AuditOrigin(context), in: transaction)
                }
            }
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "relief_case_open" {
            // Raced by a concurrent filing of the same type for the same person: point at the winner.
            let open = try await self.database.transaction(for: caller) { transaction in
                try await ReliefCaseFiling.openCase(person: input.personId, typeKey: input.typeKey, except: nil, in: transaction)
            }
            throw ReliefCaseFiling.duplicate(open)
        }
        switch outcome {
        case .created(let reliefCase):
            return try JSONResponse(reliefCase, status: .created, headers: [.eTag: "\"\(reliefCase.version)\""])
        case .existing(let reliefCase):
            return try JSONResponse(reliefCase, status: .ok, headers: [.eTag: "\"\(reliefCase.version)\""])
        }
    }

    /// A case with its transitions and the caller's next actions. A case tells of a family's money
    /// and needs: every read of one is audited.
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let reliefCase = try await self.database.transaction(for: caller) { transaction in
            guard let (reliefCase, path) = try await self.store.detail(id, caller: caller, in: transaction) else {
                throw Problem.notFound("No such relief case.")
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "relief.read",
                resource: "relief_case",
                recordID: id.uuidString.lowercased(),
                unitID: reliefCase.unitId,
                unitPath: path
            ).append(in: transaction)
            return reliefCase
        }
        return try JSONResponse(reliefCase, headers: [.eTag: "\"\(reliefCase.version)\""])
    }

    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReliefCaseListQuery.self, context: context)
        guard query.unitId != nil || query.personId != nil else {
            throw Problem.badRequest("Name unitId or personId.", errors: [.init(field: "unitId", message: "name a unit or a person")])
        }
        let items = try await self.database.transaction(for: caller) { transaction in
            var unitPath: String?
            if let unitID = query.unitId {
                unitPath = try await self.store.unit(unitID, caller: caller, permission: .reliefRead, in: transaction).path
            }
            return try await self.store.list(unitPath: unitPath, person: query.personId, state: query.state, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }
}
