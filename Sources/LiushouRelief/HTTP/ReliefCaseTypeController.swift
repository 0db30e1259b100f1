import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/relief/case-types`: the types in force for a unit's county; a county adds types or sets its
/// own deadlines for a default type.
struct ReliefCaseTypeController: Sendable {
    let database: TenantDatabase
    let store: ReliefCaseStore

    struct TypeBody: Decodable {
        var countyId: UUID
        var key: String
        var name: String
        var emergencyHours: Int?
        var decisionWorkingDays: Int
        var maxAmountFen: Int64?
    }

    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ReliefUnitQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            let unit = try await self.store.unit(query.unitId, caller: caller, permission: .reliefRead, in: transaction)
            return try await ReliefCaseTypes.inForce(countyPath: ReliefCaseTypes.countyPath(of: unit.path), in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// A county's own type; its key must be new to the county (a default's key overrides the default there).
    @Sendable func add(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: TypeBody.self, context: context)
        try Self.validate(body)
        // Two identical requests at once: the second meets the first's row and answers as a retry would.
        let created = try await DuplicateRetry.once(primaryKey: "relief_case_type_pkey", record: "case type", alsoRetrying: ["relief_case_type_key"])
        {
            try await self.database.transaction(for: caller) { transaction in
                let unit = try await self.store.unit(body.countyId, caller: caller, permission: .reliefRules, in: transaction)
                guard unit.kind == "county" else {
                    throw Problem.validation([.init(field: "countyId", message: "case types are set by a county")])
                }
                // A retry of an add that committed meets the county's own type with the same content and is
                // answered 200 with it; other content under the key is refused by `add` (409 `type_exists`).
                let name = body.name.trimmingCharacters(in: .whitespaces)
                if let existing = try await ReliefCaseTypes.effective(key: body.key, countyPath: unit.path, in: transaction),
                    existing.countyId == body.countyId, existing.name == name, existing.emergencyHours == body.emergencyHours ?? 24,
                    existing.decisionWorkingDays == body.decisionWorkingDays, existing.maxAmountFen == body.maxAmountFen
                {
                    return (existing, HTTPResponse.Status.ok)
                }
                let id = UUID()
                try await ReliefCaseTypes.add(
                    id: id,
                    county: body.countyId,
                    key: body.key,
                    name: name,
                    emergencyHours: body.emergencyHours ?? 24,
                    decisionWorkingDays: body.decisionWorkingDays,
                    maxAmountFen: body.maxAmountFen,
                    caller: caller,
                    in: transaction
                )
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "relief.type_add",
                    resource: "relief_case_type",
                    recordID: id.uuidString.lowercased(),
                    unitID: body.countyId,
                    unitPath: unit.path,
                    detail: ["key": body.key]
                ).append(in: transaction)
                guard let stored = try await ReliefCaseTypes.effective(key: body.key, countyPath: unit.path, in: transaction) else {
                    throw Problem.internalError
                }
                return (stored, HTTPResponse.Status.created)
            }
        }
        return try JSONResponse(created.0, status: created.1)
    }

    private static func validate(_ body: TypeBody) throws {
        var errors: [Problem.FieldError] = []
        if body.key.range(of: #"\A[a-z0-9_]{2,40}\z"#, options: .regularExpression) == nil {
            errors.append(.init(field: "key", message: "must be 2 to 40 lower-case letters, digits or _"))
        }
        if !(1...100).contains(body.name.trimmingCharacters(in: .whitespaces).unicodeScalars.count) {
            errors.append(.init(field: "name", message: "must have 1 to 100 characters"))
        }
        if let hours = body.emergencyHours, !(1...168).contains(hours) {
            errors.append(.init(field: "emergencyHours", message: "must be 1 to 168"))
        }
        if !(1...90).contains(body.decisionWorkingDays) { errors.append(.init(field: "decisionWorkingDays", message: "must be 1 to 90")) }
        if let amount = body.maxAmountFen, !(1...ReliefCaseInput.maxAmountFen).contains(amount) {
            errors.append(.init(field: "maxAmountFen", message: "must be 1 to \(ReliefCaseInput.maxAmountFen)"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
    }
}
