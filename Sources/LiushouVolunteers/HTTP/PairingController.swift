import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/pairings`: pair volunteers with people (结对帮扶), read and end pairings.
struct PairingController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// `GET /v1/pairings`'s filters, as sent; checked in `list`.
    struct ListQuery: Decodable {
        var personId: String?
        var volunteerId: String?
        var unitId: String?
        var status: String?
    }

    struct End: Decodable {
        var reason: String
        var endedOn: LocalDate?
    }

    /// Creates a pairing after `PairingCreator`'s gates (201), or answers a retry from the stored one (200).
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: PairingInput.self, context: context)
        let today = self.clock.today()
        let (pairing, created) = try await DuplicateRetry.create(
            record: "pairing",
            primaryKey: "pairing_pkey",
            hash: ContentHash.of(input),
            database: self.database,
            caller: caller,
            stored: { try await PairingStore.find(input.id, in: $0).map { ($0.pairing, $0.hash) } },
            write: { transaction in
                var errors = VolunteerRules.problems(input, today: today)
                if errors.isEmpty {
                    let checked = try await PairingCreator.problems(input, caller: caller, today: today, in: transaction)
                    errors = checked.errors
                    if errors.isEmpty {
                        try await PairingCreator.insert(input, caller: caller, people: checked.people, in: transaction)
                    }
                }
                if !errors.isEmpty { throw Problem.validation(errors) }
                guard let saved = try await PairingStore.find(input.id, in: transaction)?.pairing else { throw Problem.internalError }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "pairing.create",
                    resource: "pairing",
                    recordID: input.id.uuidString.lowercased(),
                    unitID: saved.unitId,
                    unitPath: try await UnitLookup.brief(saved.unitId, in: transaction)?.path
                ).append(in: transaction)
                return saved
            }
        )
        return try JSONResponse(pairing, status: created ? .created : .ok, headers: [.eTag: "\"\(pairing.version)\""])
    }

    /// Visible pairings, filtered by person, helper, unit subtree and status; a malformed filter answers 400 naming it.
    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        let person = try VolunteerQuery.uuid(query.personId, named: "personId")
        let volunteer = try VolunteerQuery.uuid(query.volunteerId, named: "volunteerId")
        let unit = try VolunteerQuery.uuid(query.unitId, named: "unitId")
        if let status = query.status, !["active", "ended"].contains(status) {
            throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be active or ended")])
        }
        let items = try await self.database.transaction(for: caller) { transaction in
            try await PairingStore.list(person: person, volunteer: volunteer, unit: unit, status: query.status, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    @Sendable func show(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let pairing = try await self.database.transaction(for: caller) { transaction in
            guard let found = try await PairingStore.find(id, in: transaction) else { throw Problem.notFound("No such pairing.") }
            return found.pairing
        }
        return try JSONResponse(pairing, headers: [.eTag: "\"\(pairing.version)\""])
    }

    /// Ends a running pairing (`If-Match`), by a manager of its unit; the helpers lose access to the people.
    @Sendable func end(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let body = try await request.decodeJSON(as: End.self, context: context)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let today = self.clock.today()
        var errors: [Problem.FieldError] = []
        if !(1...1000).contains(reason.unicodeScalars.count) {
            errors.append(.init(field: "reason", message: "say why the pairing ends (1 to 1000 characters)"))
        }
        if let endedOn = body.endedOn, endedOn > today { errors.append(.init(field: "endedOn", message: "is in the future")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let pairing = try await self.database.transaction(for: caller) { transaction in
            guard let visible = try await PairingStore.find(id, in: transaction)?.pairing else { throw Problem.notFound("No such pairing.") }
            guard let unit = try await UnitLookup.brief(visible.unitId, in: transaction), caller.holds(.pairingsManage, at: unit.path) else {
                throw Problem.forbidden("This pairing is managed above your units.")
            }
            guard let stored = try await PairingStore.find(id, forUpdate: true, in: transaction)?.pairing else {
                throw Problem.notFound("No such pairing.")
            }
            guard stored.version == version else { throw Problem.versionMismatch("pairing", current: stored.version) }
            guard stored.status == "active" else {
                throw Problem(status: .conflict, code: "already_ended", title: "The pairing has already ended")
            }
            let endedOn = body.endedOn ?? today
            guard endedOn >= stored.startOn || endedOn == today else {
                throw Problem.validation([.init(field: "endedOn", message: "is before the pairing started")])
            }
            try await PairingStore.end(stored, on: endedOn, reason: reason, caller: caller, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "pairing.end",
                resource: "pairing",
                recordID: id.uuidString.lowercased(),
                unitID: stored.unitId,
                unitPath: unit.path
            ).append(in: transaction)
            guard let ended = try await PairingStore.find(id, in: transaction)?.pairing else { throw Problem.internalError }
            return ended
        }
        return try JSONResponse(pairing, headers: [.eTag: "\"\(pairing.version)\""])
    }
}
