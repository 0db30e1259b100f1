import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-aid/matters`: the matters (案由) — the national list, extended by each county.
struct LegalMatterController: Sendable {
    let database: TenantDatabase

    struct MatterInput: Codable, Equatable {
        var countyId: UUID
        var code: String
        var name: String
        var meansFree: Bool
    }

    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let items = try await self.database.transaction(for: caller) { transaction in
            try await LegalCountyStore.matters(in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// 201 with a county's new matter, 200 for a retry with the same content; a code of the national
    /// list cannot be redefined.
    @Sendable func add(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: MatterInput.self, context: context)
        // Two identical requests at once: the second meets the first's row and answers as a retry would.
        let (matter, created) = try await DuplicateRetry.once(
            primaryKey: "legal_matter_pkey",
            record: "matter",
            alsoRetrying: ["legal_matter_county"]
        ) {
            try await self.database.transaction(for: caller) { transaction in
                var errors: [Problem.FieldError] = []
                if input.code.range(of: #"\A[a-z][a-z0-9_]{1,39}\z"#, options: .regularExpression) == nil {
                    errors.append(.init(field: "code", message: "2 to 40 lower-case letters, digits or _ starting with a letter"))
                }
                if !(1...50).contains(LegalRules.trimmed(input.name).unicodeScalars.count) {
                    errors.append(.init(field: "name", message: "must have 1 to 50 characters"))
                }
                guard let county = try await UnitLookup.brief(input.countyId, in: transaction), county.kind == "county",
                    caller.holds(.legalAidConfigure, at: county.path)
                else { throw Problem.validation(errors + [.init(field: "countyId", message: "no such county in your scope")]) }
                if !errors.isEmpty { throw Problem.validation(errors) }
                if let stored = try await LegalCountyStore.matter(code: input.code, county: input.countyId, in: transaction) {
                    guard stored.matter.countyId != nil else {
                        throw Problem.validation([.init(field: "code", message: "is a matter of the national list")])
                    }
                    guard stored.hash == ContentHash.of(input) else { throw Problem.idConflict("matter") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored.matter, false)
                }
                let matter = LegalMatter(code: input.code, name: LegalRules.trimmed(input.name), meansFree: input.meansFree, countyId: input.countyId)
                try await LegalCountyStore.addMatter(matter, county: input.countyId, hash: ContentHash.of(input), caller: caller, in: transaction)
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "legal_matter.add",
                    resource: "legal_matter",
                    recordID: input.code,
                    unitID: input.countyId
                ).append(in: transaction)
                return (matter, true)
            }
        }
        return try JSONResponse(matter, status: created ? .created : .ok)
    }
}
