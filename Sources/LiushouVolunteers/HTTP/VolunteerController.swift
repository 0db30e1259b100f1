import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/volunteers`: the volunteer register of a town (or village), with screening.
struct VolunteerController: Sendable {
    let database: TenantDatabase
    let store: VolunteerStore
    let clock: ChinaClock

    /// `GET /v1/volunteers`'s filters, as sent; checked in `list`.
    struct ListQuery: Decodable {
        var screening: String?
        var skill: String?
        var unitId: String?
    }

    /// Registers a volunteer under the client's id (201), or answers a retry from the stored one (200).
    @Sendable func register(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: VolunteerInput.self, context: context)
        guard let id = input.id else { throw Problem.validation([.init(field: "id", message: "send your own UUID for the volunteer")]) }
        let (volunteer, created) = try await DuplicateRetry.once(primaryKey: "volunteer_pkey", uniqueProblems: VolunteerStore.uniqueProblems) {
            try await self.database.transaction(for: caller) { transaction in
                if let stored = try await self.store.find(id, in: transaction) {
                    guard self.store.isHash(stored.hash, of: input) else { throw Problem.idConflict("volunteer") }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored.volunteer, false)
                }
                try await self.check(input, caller: caller, in: transaction)
                try await self.store.save(input, id: id, existing: nil, in: transaction)
                guard let saved = try await self.store.find(id, in: transaction)?.volunteer else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "volunteer.register",
                    resource: "volunteer",
                    recordID: id.uuidString.lowercased(),
                    unitID: input.unitId,
                    unitPath: try await UnitLookup.brief(input.unitId, in: transaction)?.path
                ).append(in: transaction)
                return (saved, true)
            }
        }
        return try JSONResponse(volunteer.masked(), status: created ? .created : .ok, headers: [.eTag: "\"\(volunteer.version)\""])
    }

    /// Visible volunteers, filtered by screening, skill and a unit (its subtree and the units holding it).
    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        let screening = try query.screening.map { value in
            guard let status = ScreeningStatus(rawValue: value) else {
                throw Problem.badRequest("screening is invalid.", errors: [.init(field: "screening", message: "must be pending, passed or failed")])
            }
            return status
        }
        let skill = try query.skill.map { value in
            guard let skill = VolunteerSkill(rawValue: value) else {
                throw Problem.badRequest("skill is invalid.", errors: [.init(field: "skill", message: "is not a known skill")])
            }
            return skill
        }
        let unit = try VolunteerQuery.uuid(query.unitId, named: "unitId")
        let items = try await self.database.transaction(for: caller) { transaction in
            var path: String? = nil
            if let unit {
                guard let brief = try await UnitLookup.brief(unit, in: transaction),
                    caller.holds(.volunteersRead, at: brief.path)
                        || caller.scopes(for: .volunteersRead).contains(where: { Caller.path($0, isInside: brief.path) })
                else { throw Problem.noSuchUnit }
                path = brief.path
            }
            return try await self.store.list(unitPath: path, screening: screening, skill: skill, in: transaction)
        }
        return try JSONResponse(Items(items: items.map { $0.masked() }))
    }

    /// One volunteer, the phone masked unless disclosure is asked for and allowed (and audited).
    @Sendable func show(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let disclosure = try IdentifierDisclosure(request: request)
        let volunteer = try await self.database.transaction(for: caller) { transaction in
            guard let found = try await self.store.find(id, in: transaction) else { throw Problem.notFound("No such volunteer.") }
            guard disclosure.reveal, let unit = try await UnitLookup.brief(found.volunteer.unitId, in: transaction) else {
                return found.volunteer.masked()
            }
            let revealed = try await disclosure.authorize(
                caller: caller,
                unitID: unit.id,
                unitPath: unit.path,
                resource: "volunteer",
                recordID: id.uuidString.lowercased(),
                context: context,
                transaction: transaction
            )
            return found.volunteer.masked(revealing: revealed)
        }
        return try JSONResponse(volunteer, headers: [.eTag: "\"\(volunteer.version)\""])
    }

    /// Replaces a volunteer's record (`If-Match`), by a manager of its register unit.
    @Sendable func change(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        var input = try await request.decodeJSON(as: VolunteerInput.self, context: context)
        guard input.id == nil || input.id == id else {
            throw Problem.validation([.init(field: "id", message: "must match the volunteer in the path")])
        }
        input.id = id
        let volunteer = try await DuplicateRetry.once(primaryKey: "volunteer_pkey", uniqueProblems: VolunteerStore.uniqueProblems) {
            try await self.database.transaction(for: caller) { transaction in
                guard let visible = try await self.store.find(id, in: transaction) else { throw Problem.notFound("No such volunteer.") }
                guard let unit = try await UnitLookup.brief(visible.volunteer.unitId, in: transaction), caller.holds(.volunteersManage, at: unit.path)
                else {
                    throw Problem.forbidden("This volunteer is registered above your units.")
                }
                guard let stored = try await self.store.find(id, forUpdate: true, in: transaction) else {
                    throw Problem.notFound("No such volunteer.")
                }
                guard stored.volunteer.version == version else { throw Problem.versionMismatch("volunteer", current: stored.volunteer.version) }
                // The form shows the phone masked; sending that mask back keeps the stored number.
                if let phone = stored.volunteer.phone, input.phone == Masking.phone(phone) { input.phone = phone }
                try await self.check(input, caller: caller, in: transaction)
                try await self.store.save(input, id: id, existing: stored.volunteer, in: transaction)
                guard let saved = try await self.store.find(id, in: transaction)?.volunteer else { throw Problem.internalError }
                var detail: [String: String] = [:]
                if saved.screening != stored.volunteer.screening { detail["screening"] = saved.screening.rawValue }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "volunteer.change",
                    resource: "volunteer",
                    recordID: id.uuidString.lowercased(),
                    unitID: saved.unitId,
                    unitPath: try await UnitLookup.brief(saved.unitId, in: transaction)?.path,
                    detail: detail.isEmpty ? nil : detail
                ).append(in: transaction)
                return saved
            }
        }
        return try JSONResponse(volunteer.masked(), headers: [.eTag: "\"\(volunteer.version)\""])
    }

    /// Content, register unit (a town or village the caller manages), login and ID-number uniqueness.
    private func check(_ input: VolunteerInput, caller: Caller, in transaction: PostgresTransaction) async throws {
        var errors = VolunteerRules.problems(input, today: self.clock.today())
        let unit = try await UnitLookup.brief(input.unitId, in: transaction)
        if let unit, caller.holds(.volunteersManage, at: unit.path) {
            if !["town", "village"].contains(unit.kind) { errors.append(.init(field: "unitId", message: "must be a town or a village")) }
        } else {
            errors.append(.init(field: "unitId", message: "no such unit in your scope"))
        }
        if let account = input.accountId {
            if !(try await self.store.accountMayHelp(account, in: transaction)) {
                errors.append(.init(field: "accountId", message: "no such login with the volunteer or school staff role in your scope"))
            }
            if try await self.store.accountTaken(account, byOtherThan: input.id, in: transaction) {
                errors.append(.init(field: "accountId", message: "this login already belongs to another volunteer"))
            }
        }
        if let idNumber = input.idNumber, errors.allSatisfy({ $0.field != "idNumber" }),
            try await self.store.idNumberTaken(idNumber, unit: input.unitId, byOtherThan: input.id, in: transaction)
        {
            errors.append(.init(field: "idNumber", message: "a volunteer with this ID number is already registered here"))
        }
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}
