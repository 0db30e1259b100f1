import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// `/v1/units`: create, read, list children, rename, move and deactivate organisation units.
struct OrgUnitController: Sendable {
    let database: TenantDatabase
    let repository: any OrgUnitRepository

    struct CreateRequest: Decodable {
        var id: UUID?
        var kind: OrgUnitKind
        var name: String
        var code: String?
        var parentId: UUID
    }

    struct RenameRequest: Decodable {
        var name: String
    }

    struct MoveRequest: Decodable {
        var parentId: UUID
    }

    struct UnitList: Encodable {
        var items: [OrgUnit]
    }

    struct ServiceArea: Codable {
        var villageIds: [UUID]
    }

    /// Creates a unit under a client-chosen id (201); a retry with the same content answers the stored unit (200).
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: CreateRequest.self, context: context)
        let name = try Self.validName(body.name)
        let id = try request.createdID(body.id, by: caller)
        // A concurrent create of the same id runs again and answers the stored unit; an id naming a unit the caller cannot see answers 409.
        return try await DuplicateRetry.once(primaryKey: "org_unit_pkey", record: "unit") {
            try await self.database.transaction(for: caller) { transaction in
                // The share lock keeps the parent from moving or being deactivated until this unit is in.
                let parent = try await self.visible(body.parentId, .unitsManage, caller, transaction, field: "parentId", lockForShare: true)
                if let existing = try await self.repository.find(id, in: transaction) {
                    guard existing.kind == body.kind, existing.name == name, existing.code == body.code, existing.parentId == body.parentId else {
                        throw Problem.idConflict("unit")
                    }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return try JSONResponse(existing, status: .ok, headers: [.eTag: "\"\(existing.version)\""])
                }
                var problems: [Problem.FieldError] = []
                if !body.kind.allowedParents.contains(parent.kind) {
                    problems.append(.init(field: "parentId", message: "a \(body.kind.rawValue) cannot be placed under a \(parent.kind.rawValue)"))
                }
                if !parent.active {
                    problems.append(.init(field: "parentId", message: "is deactivated"))
                }
                problems += AdministrativeCode.problems(code: body.code, kind: body.kind, parentCode: parent.code)
                    .map { .init(field: "code", message: $0) }
                guard problems.isEmpty else { throw Problem.validation(problems) }
                let now = Date()
                let unit = OrgUnit(
                    id: id,
                    kind: body.kind,
                    name: name,
                    code: body.code,
                    parentId: parent.id,
                    path: parent.path + "." + OrgUnit.label(for: id),
                    active: true,
                    version: 1,
                    createdAt: now,
                    updatedAt: now
                )
                do {
                    try await self.repository.insert(unit, in: transaction)
                } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "org_unit_code_unique" {
                    throw Problem(
                        status: .conflict,
                        code: "code_taken",
                        title: "Administrative code in use",
                        detail: "Another unit already carries this code.",
                        errors: [.init(field: "code", message: "is already used")]
                    )
                }
                guard let stored = try await self.repository.find(id, in: transaction) else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "unit.create",
                    resource: "org_unit",
                    recordID: id.uuidString.lowercased(),
                    unitID: id,
                    unitPath: stored.path
                ).append(in: transaction)
                return try JSONResponse(
                    stored,
                    status: .created,
                    headers: [.eTag: "\"\(stored.version)\"", .location: "/v1/units/\(id.uuidString.lowercased())"]
                )
            }
        }
    }

    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let unit = try await self.database.transaction(for: caller) { transaction in
            try await self.visible(try context.uuidParameter("id"), .unitsRead, caller, transaction)
        }
        return try JSONResponse(unit, headers: [.eTag: "\"\(unit.version)\""])
    }

    @Sendable func children(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let children = try await self.database.transaction(for: caller) { transaction in
            let parent = try await self.visible(try context.uuidParameter("id"), .unitsRead, caller, transaction)
            return try await self.repository.children(of: parent.id, in: transaction)
        }
        return try JSONResponse(UnitList(items: children))
    }

    @Sendable func serviceArea(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (area, version) = try await self.database.transaction(for: caller) { transaction in
            let unit = try await self.visible(try context.uuidParameter("id"), .unitsRead, caller, transaction)
            return (try await self.repository.serviceArea(of: unit.id, in: transaction), unit.version)
        }
        return try JSONResponse(ServiceArea(villageIds: area), headers: [.eTag: "\"\(version)\""])
    }

    /// Replaces the villages a clinic serves: villages of the clinic's own town, inside the caller's scope.
    /// With If-Match (the clinic's version, the area's ETag), a replacement made meanwhile answers 412.
    @Sendable func replaceServiceArea(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: ServiceArea.self, context: context)
        let id = try context.uuidParameter("id")
        let expected = try request.ifMatchVersionIfSent()
        let villageIDs = body.villageIds
        return try await self.database.transaction(for: caller) { transaction in
            let clinic = try await self.visible(id, .unitsManage, caller, transaction)
            guard clinic.kind == .clinic, let townID = clinic.parentId else {
                throw Problem.validation([.init(field: "id", message: "only a clinic has a service area")])
            }
            var problems: [Problem.FieldError] = []
            for (index, villageID) in Set(villageIDs).sorted(by: { $0.uuidString < $1.uuidString }).enumerated() {
                let village = try await self.repository.find(villageID, in: transaction)
                if village?.kind != .village || village?.parentId != townID || village?.active != true {
                    problems.append(.init(field: "villageIds[\(index)]", message: "must be an active village of the clinic's town"))
                }
            }
            guard problems.isEmpty else { throw Problem.validation(problems) }
            guard
                let version = try await self.repository.replaceServiceArea(
                    of: clinic.id,
                    with: Set(villageIDs),
                    expectedVersion: expected,
                    in: transaction
                )
            else { throw Self.stale(try await self.repository.find(id, in: transaction) ?? clinic) }
            let area = try await self.repository.serviceArea(of: clinic.id, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "unit.service_area",
                resource: "org_unit",
                recordID: clinic.id.uuidString.lowercased(),
                unitID: clinic.id,
                unitPath: clinic.path,
                detail: ["villages": String(area.count)]
            ).append(in: transaction)
            return try JSONResponse(ServiceArea(villageIds: area), headers: [.eTag: "\"\(version)\""])
        }
    }

    @Sendable func rename(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: RenameRequest.self, context: context)
        let name = try Self.validName(body.name)
        let version = try request.ifMatchVersion()
        return try await self.update(try context.uuidParameter("id"), version: version, action: "unit.rename", context, caller) {
            unit,
            transaction in
            try await self.repository.rename(unit.id, to: name, expectedVersion: version, in: transaction)
        }
    }

    /// Moves a unit (`If-Match` its version) under another parent of the right kind, with its subtree.
    @Sendable func move(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: MoveRequest.self, context: context)
        let version = try request.ifMatchVersion()
        let id = try context.uuidParameter("id")
        let parentID = body.parentId
        // Bulk: the move rebuilds the visit obligations of everyone in the subtree (a town's tens of
        // thousands of people) in its update. Run again after a deadlock with another writer of
        // those obligations: every step reads afresh.
        return try await self.database.transaction(for: caller, kind: .bulk, maxAttempts: 3) { transaction in
            let seen = try await self.visible(id, .unitsManage, caller, transaction)
            // Lock the subtree and the new parent, then decide on fresh rows: concurrent moves,
            // creates and deactivations under them wait, so paths and parents stay consistent.
            try await self.repository.lockSubtree(of: seen.path, and: parentID, in: transaction)
            let unit = try await self.visible(id, .unitsManage, caller, transaction)
            guard unit.path == seen.path else { throw Self.stale(unit) }
            guard let oldParentID = unit.parentId else {
                throw Problem.validation([.init(field: "id", message: "a county cannot be moved")])
            }
            _ = try await self.visible(oldParentID, .unitsManage, caller, transaction, field: "id")
            let parent = try await self.visible(parentID, .unitsManage, caller, transaction, field: "parentId")
            guard unit.version == version else { throw Self.stale(unit) }
            var problems: [Problem.FieldError] = []
            if !unit.kind.allowedParents.contains(parent.kind) {
                problems.append(.init(field: "parentId", message: "a \(unit.kind.rawValue) cannot be placed under a \(parent.kind.rawValue)"))
            }
            if Caller.path(parent.path, isInside: unit.path) {
                problems.append(.init(field: "parentId", message: "cannot be the unit itself or one of its descendants"))
            }
            if !parent.active { problems.append(.init(field: "parentId", message: "is deactivated")) }
            problems += AdministrativeCode.problems(code: unit.code, kind: unit.kind, parentCode: parent.code)
                .map { .init(field: "parentId", message: "the unit's code \($0)") }
            guard problems.isEmpty else { throw Problem.validation(problems) }
            let moved = try await self.repository.move(unit, under: parent, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "unit.move",
                resource: "org_unit",
                recordID: id.uuidString.lowercased(),
                unitID: id,
                unitPath: moved.path,
                detail: ["from": unit.path, "to": moved.path]
            ).append(in: transaction)
            return try JSONResponse(moved, headers: [.eTag: "\"\(moved.version)\""])
        }
    }

    /// Refused while the unit has active children: they are moved or deactivated first.
    @Sendable func deactivate(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        return try await self.update(id, version: version, action: "unit.deactivate", context, caller) { unit, transaction in
            try await self.repository.lockSubtree(of: unit.path, and: nil, in: transaction)
            if try await self.repository.hasActiveChildren(unit.id, in: transaction) {
                throw Problem.validation([.init(field: "id", message: "has active child units; deactivate or move them first")])
            }
            return try await self.repository.deactivate(unit.id, expectedVersion: version, in: transaction)
        }
    }

    /// Loads a unit for an update, applies it if the version still matches, audits it.
    private func update(
        _ id: UUID,
        version: Int,
        action: String,
        _ context: AppRequestContext,
        _ caller: Caller,
        _ change: (OrgUnit, PostgresTransaction) async throws -> OrgUnit?
    ) async throws -> JSONResponse {
        try await self.database.transaction(for: caller) { transaction in
            let unit = try await self.visible(id, .unitsManage, caller, transaction)
            if unit.parentId == nil, !caller.holds(.unitsManage, at: unit.path) { throw Problem.notFound() }
            guard unit.version == version, let updated = try await change(unit, transaction) else {
                throw Self.stale(try await self.repository.find(id, in: transaction) ?? unit)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: action,
                resource: "org_unit",
                recordID: id.uuidString.lowercased(),
                unitID: id,
                unitPath: updated.path
            ).append(in: transaction)
            return try JSONResponse(updated, headers: [.eTag: "\"\(updated.version)\""])
        }
    }

    /// The unit if it exists inside the caller's scope and the caller holds `permission` there; else 404.
    private func visible(
        _ id: UUID,
        _ permission: Permission,
        _ caller: Caller,
        _ transaction: PostgresTransaction,
        field: String? = nil,
        lockForShare: Bool = false
    ) async throws -> OrgUnit {
        let found =
            lockForShare
            ? try await self.repository.findLockedForShare(id, in: transaction)
            : try await self.repository.find(id, in: transaction)
        guard let unit = found, caller.holds(permission, at: unit.path) else {
            if let field {
                throw Problem.validation([.init(field: field, message: "no such unit in your scope")])
            }
            throw Problem.notFound("No such unit.")
        }
        return unit
    }

    private static func validName(_ name: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(trimmed.unicodeScalars.count) else {
            throw Problem.validation([.init(field: "name", message: "must have 1 to 100 characters")])
        }
        return trimmed
    }

    private static func stale(_ current: OrgUnit) -> Problem {
        Problem.versionMismatch("unit", current: current.version)
    }
}
