import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-cases`: open legal-aid cases (法律援助), list and read them (every read audited).
struct LegalCaseController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// 201 with a new case, 200 with the stored one for a retry (same id, same content; audited as a read).
    @Sendable func open(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: LegalCaseInput.self, context: context)
        let today = self.clock.today()
        let (record, created): (LegalCase, Bool)
        // A concurrent retry that stored it first is answered as a retry.
        (record, created) = try await DuplicateRetry.once(primaryKey: "legal_case_pkey", record: "legal-aid case") {
            try await self.database.transaction(for: caller) { transaction in
                if let stored = try await LegalCaseStore.find(input.id, today: today, in: transaction) {
                    guard stored.hash == ContentHash.of(input) else { throw Problem.idConflict("legal-aid case") }
                    // A retry answers the stored details: a read, audited as one.
                    try await AuditEntry(
                        caller: caller,
                        origin: AuditOrigin(context),
                        action: "legal_case.read",
                        resource: "legal_case",
                        recordID: input.id.uuidString.lowercased(),
                        unitID: stored.record.unitId
                    ).append(in: transaction)
                    return (stored.record, false)
                }
                let checked = try await LegalIntake.check(input, caller: caller, in: transaction)
                try await LegalIntake.insert(input, checked: checked, caller: caller, in: transaction)
                guard let saved = try await LegalCaseStore.find(input.id, today: today, in: transaction)?.record else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "legal_case.open",
                    resource: "legal_case",
                    recordID: input.id.uuidString.lowercased(),
                    unitID: saved.unitId
                ).append(in: transaction)
                return (saved, true)
            }
        }
        return try JSONResponse(record, status: created ? .created : .ok, headers: [.eTag: "\"\(record.version)\""])
    }

    /// The office's cases (no facts or parties); the listing is audited.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: LegalCaseListQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            let items = try await LegalCaseStore.list(stage: query.stage, person: query.personId, unit: query.unitId, caller: caller, in: transaction)
            try await AuditEntry.legalCaseListing(caller: caller, context: context, detail: ["cases": String(items.count)])
                .append(in: transaction)
            return items
        }
        return try JSONResponse(Items(items: items))
    }

    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let today = self.clock.today()
        let record = try await self.database.transaction(for: caller) { transaction in
            guard let found = try await LegalCaseStore.find(id, today: today, in: transaction)?.record else {
                throw Problem.notFound("No such legal-aid case.")
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "legal_case.read",
                resource: "legal_case",
                recordID: id.uuidString.lowercased(),
                unitID: found.unitId
            ).append(in: transaction)
            return found
        }
        return try JSONResponse(record, headers: [.eTag: "\"\(record.version)\""])
    }
}
