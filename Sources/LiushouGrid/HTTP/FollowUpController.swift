import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/follow-ups`: needs found at visits, routed to the role that handles them, open until resolved.
struct FollowUpController: Sendable {
    let database: TenantDatabase
    let store: FollowUpStore

    struct Resolve: Decodable {
        var resolution: String
    }

    /// `GET /v1/follow-ups` parameters as sent: `status`, open (the default) or resolved.
    struct ListQuery: Decodable {
        var status: String?
    }

    /// Pages of 2,000 read at most for one list.
    static let maxPages = 5

    /// Roles that see and resolve every follow-up in their scope, whatever it is routed to.
    static let overseers: Set<Role> = [.countyAdmin, .townAdmin, .childWelfareSupervisor]

    /// Whether the caller handles a follow-up: an overseer of its unit, the routed role held on a unit
    /// covering it, the school staff of the child's school, or the staff of a clinic serving its village.
    static func handles(_ caller: Caller, _ row: FollowUpStore.Row) -> Bool {
        let routed = row.routedRole
        // A checkup's clinic follow-up is clinical: only the serving clinic handles it (and reads its
        // resolution); the village cadre has its own, non-clinical follow-up of the same checkup.
        if routed == Role.clinicStaff.rawValue, row.checkupId != nil {
            return row.servedByMyClinic
        }
        let here = caller.roles(at: row.unitPath)
        if !here.isDisjoint(with: Self.overseers) || here.contains(where: { $0.rawValue == routed }) { return true }
        switch Role(rawValue: routed) {
        case .schoolStaff?:
            return row.schoolPath.map { caller.covers($0, in: .school) } ?? false
        case .clinicStaff?:
            return row.servedByMyClinic
        default:
            return false
        }
    }

    /// Whether the caller sees a follow-up in the list: those they handle, and every follow-up of an
    /// overseer's units, clinical ones included (read only, resolution withheld), so that the list of
    /// open follow-ups agrees with the dashboard's count of them.
    static func sees(_ caller: Caller, _ row: FollowUpStore.Row) -> Bool {
        if Self.handles(caller, row) { return true }
        return !caller.roles(at: row.unitPath).isDisjoint(with: Self.overseers)
    }

    /// The caller's follow-ups of a status (at most 500): open ones oldest first, resolved ones most
    /// recently resolved first. Pages are read until 500 are kept: a relief officer's few among a
    /// town's thousands routed to cadres and clinics are found wherever they sort.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let status = try request.uri.decodeQuery(as: ListQuery.self, context: context).status ?? "open"
        guard ["open", "resolved"].contains(status) else {
            throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be open or resolved")])
        }
        // Only an overseer sees follow-ups routed to any role; everyone else reads those routed to the
        // roles they hold, and a few pages at most.
        let roles: [String]? =
            caller.grants.contains { Self.overseers.contains($0.role) } ? nil : Array(Set(caller.grants.map(\.role.rawValue))).sorted()
        let items = try await self.database.transaction(for: caller) { transaction in
            var kept: [FollowUp] = []
            var after: FollowUpStore.Row?
            for _ in 0..<Self.maxPages {
                let page = try await self.store.list(status: status, roles: roles, after: after, limit: 2000, in: transaction)
                kept += page.filter { Self.sees(caller, $0) }.map { Self.followUp($0, caller: caller) }
                guard page.count == 2000, kept.count < 500 else { break }
                after = page.last
            }
            return Array(kept.prefix(500))
        }
        return try JSONResponse(Items(items: items))
    }

    /// Resolves an open follow-up the caller handles (`If-Match` its version), noting it on the person's timeline.
    @Sendable func resolve(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let body = try await request.decodeJSON(as: Resolve.self, context: context)
        let resolution = body.resolution.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...2000).contains(resolution.count) else {
            throw Problem.validation([.init(field: "resolution", message: "say how it was resolved (1 to 2000 characters)")])
        }
        let resolved = try await self.database.transaction(for: caller) { transaction in
            guard let row = try await self.store.lock(id, in: transaction) else { throw Problem.notFound("No such follow-up.") }
            let current = Self.followUp(row, caller: caller)
            guard current.canResolve else {
                throw Problem.forbidden("This follow-up is routed to \(current.routedRole).")
            }
            guard current.version == version else {
                throw Problem.versionMismatch("follow-up", current: current.version)
            }
            guard current.status == "open" else {
                throw Problem(status: .conflict, code: "already_resolved", title: "The follow-up is already resolved")
            }
            try await self.store.resolve(id, resolution: resolution, by: caller, in: transaction)
            let updated = try await self.store.find(id, in: transaction).map { Self.followUp($0, caller: caller) }
            guard let updated else { throw Problem.internalError }
            if let person = updated.personId {
                try await PersonTimeline.append(
                    .init(
                        person: person,
                        module: "grid",
                        kind: "follow_up.resolved",
                        summary: "跟进已办结：" + (Need(rawValue: updated.need)?.chineseName ?? (updated.need == "schooling" ? "就学" : "其他")),
                        accountName: caller.name,
                        recordID: id.uuidString.lowercased()
                    ),
                    in: transaction
                )
            }
            return updated
        }
        return try JSONResponse(resolved, headers: [.eTag: "\"\(resolved.version)\""])
    }

    private static func followUp(_ row: FollowUpStore.Row, caller: Caller) -> FollowUp {
        let canResolve = Self.handles(caller, row)
        var followUp = row.followUp
        followUp.canResolve = canResolve
        // A clinical resolution is the clinic's to read.
        if !canResolve { followUp.resolution = nil }
        return followUp
    }
}
