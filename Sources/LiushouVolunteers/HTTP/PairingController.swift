import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/pairings`: pair volunteers with people (结对帮扶), read and end pairings.
public struct PairingController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [Pairing]
    }

    struct End: Decodable {
        var reason: String
        var endedOn: LocalDate?
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/pairings", .permission(.pairingsManage)) { request, context, caller in
            let input = try await request.decodeJSON(as: PairingInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (pairing, created) = try await DuplicateRetry.once(primaryKey: "pairing_pkey") {
                try await self.database.transaction(for: caller) { transaction in
                    if let stored = try await PairingStore.find(input.id, in: transaction) {
                        guard stored.hash == ContentHash.of(input) else { throw Problem.idConflict("pairing") }
                        return (stored.pairing, false)
                    }
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
                    try await AuditEntry(caller: caller, context: context, action: "pairing.create", resource: "pairing",
                                         recordID: input.id.uuidString.lowercased(), unitID: saved.unitId,
                                         unitPath: try await UnitLookup.brief(saved.unitId, in: transaction)?.path).append(in: transaction)
                    return (saved, true)
                }
            }
            return try JSONResponse(pairing, status: created ? .created : .ok, headers: [.eTag: "\"\(pairing.version)\""])
        }
        routes.on(.get, "/v1/pairings", .permission(.pairingsRead)) { request, _, caller in
            let query = request.uri.queryParameters
            var clauses: [SQLQuery] = ["true"]
            for (name, clause) in [("personId", "person"), ("volunteerId", "volunteer"), ("unitId", "unit")] {
                guard let value = query[name[...]] else { continue }
                guard let id = UUID(uuidString: String(value)) else {
                    throw Problem.badRequest("\(name) is invalid.", errors: [.init(field: name, message: "must be a UUID")])
                }
                switch clause {
                case "person": clauses.append("exists (select from pairing_person pp where pp.pairing_id = g.id and pp.person_id = \(id))")
                case "volunteer": clauses.append("exists (select from pairing_helper h where h.pairing_id = g.id and h.volunteer_id = \(id))")
                default: clauses.append("exists (select from liushou_unit_brief(g.unit_id) b, liushou_unit_brief(\(id)) u where b.path::ltree <@ u.path::ltree)")
                }
            }
            if let status = query["status"] {
                guard ["active", "ended"].contains(String(status)) else {
                    throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be active or ended")])
                }
                clauses.append("g.status = \(String(status))")
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                try await PairingStore.list(where: SQLQuery.joined(clauses, separator: " and "), in: transaction)
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.get, "/v1/pairings/:id", .permission(.pairingsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let pairing = try await self.database.transaction(for: caller) { transaction in
                guard let found = try await PairingStore.find(id, in: transaction) else { throw Problem.notFound("No such pairing.") }
                return found.pairing
            }
            return try JSONResponse(pairing, headers: [.eTag: "\"\(pairing.version)\""])
        }
        routes.on(.post, "/v1/pairings/:id/end", .permission(.pairingsManage)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: End.self, context: context)
            let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
            let today = PersonValidator.chinaToday()
            var errors: [Problem.FieldError] = []
            if !(1...1000).contains(reason.unicodeScalars.count) { errors.append(.init(field: "reason", message: "say why the pairing ends (1 to 1000 characters)")) }
            if let endedOn = body.endedOn, endedOn > today { errors.append(.init(field: "endedOn", message: "is in the future")) }
            if !errors.isEmpty { throw Problem.validation(errors) }
            let pairing = try await self.database.transaction(for: caller) { transaction in
                guard let visible = try await PairingStore.find(id, in: transaction)?.pairing else { throw Problem.notFound("No such pairing.") }
                guard let unit = try await UnitLookup.brief(visible.unitId, in: transaction), caller.holds(.pairingsManage, at: unit.path) else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: "This pairing is managed above your units.")
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
                try await transaction.query("""
                    update pairing set status = 'ended', ended_on = \(endedOn), end_reason = \(reason), ended_by = \(caller.accountID),
                        version = version + 1, updated_at = now()
                    where id = \(id)
                    """)
                try await transaction.query("""
                    update person_assignment set ended_at = now()
                    where source = 'pairing' and source_id = \(id) and (ended_at is null or ended_at > now())
                    """)
                for person in stored.people {
                    try await transaction.query("""
                        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
                        values (\(UUID()), \(person.personId), 'volunteers', 'pairing.ended', \("结对帮扶结束：" + reason), \(caller.name),
                            \(id.uuidString.lowercased()))
                        """)
                }
                try await AuditEntry(caller: caller, context: context, action: "pairing.end", resource: "pairing",
                                     recordID: id.uuidString.lowercased(), unitID: stored.unitId, unitPath: unit.path).append(in: transaction)
                guard let ended = try await PairingStore.find(id, in: transaction)?.pairing else { throw Problem.internalError }
                return ended
            }
            return try JSONResponse(pairing, headers: [.eTag: "\"\(pairing.version)\""])
        }
    }
}
