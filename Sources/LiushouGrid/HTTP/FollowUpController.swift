import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/follow-ups`: needs found at visits, routed to the role that handles them, open until resolved.
public struct FollowUpController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct FollowUp: Encodable {
        var id: UUID
        /// The door check that found the need, or
        var checkId: UUID?
        /// the checkup that asked for a follow-up (health), or
        var checkupId: UUID?
        /// the school status change that raised an alert (schooling).
        var schoolStatusChangeId: UUID?
        var personId: UUID?
        /// The person's name (as the caller's row-level view shows it), for lists.
        var personName: String?
        var householdId: UUID?
        var need: String
        var routedRole: String
        var status: String
        var openedAt: Date
        var resolvedAt: Date?
        var resolution: String?
        var version: Int
        /// Whether the caller may resolve it; overseers see clinical follow-ups they may not resolve.
        var canResolve: Bool
    }

    struct Items: Encodable {
        var items: [FollowUp]
    }

    struct Resolve: Decodable {
        var resolution: String
    }

    /// Roles that see and resolve every follow-up in their scope, whatever it is routed to.
    static let overseers: Set<Role> = [.countyAdmin, .townAdmin, .childWelfareSupervisor]

    private static let columns: SQLQuery = """
        f.id, f.check_id, f.checkup_id, f.school_status_change_id, f.person_id, f.household_id, f.need, f.routed_role, f.status, f.opened_at, f.resolved_at, f.resolution, f.version,
        p.name as person_name,
        (select b.path from liushou_unit_brief(f.unit_id) b) as unit_path,
        (select b.path from liushou_unit_brief(p.school_id) b) as school_path,
        exists (select from clinic_service_area a join org_unit c on c.id = a.clinic_id
                where a.village_id = p.village_id and c.path <@ liushou_scope_for('clinic')) as served_by_my_clinic
        """

    /// Whether the caller handles a follow-up: an overseer of its unit, the routed role held on a unit
    /// covering it, the school staff of the child's school, or the staff of a clinic serving its village.
    static func handles(_ caller: Caller, _ row: PostgresRow) throws -> Bool {
        let routed = try row.decode("routed_role", as: String.self)
        // A checkup's clinic follow-up is clinical: only the serving clinic handles it (and reads its
        // resolution); the village cadre has its own, non-clinical follow-up of the same checkup.
        if routed == Role.clinicStaff.rawValue, try row.decode("checkup_id", as: UUID?.self) != nil {
            return try row.decode("served_by_my_clinic", as: Bool.self)
        }
        let path = try row.decode("unit_path", as: String.self)
        let here = caller.roles(at: path)
        if !here.isDisjoint(with: Self.overseers) || here.contains(where: { $0.rawValue == routed }) { return true }
        switch Role(rawValue: routed) {
        case .schoolStaff?:
            return try row.decode("school_path", as: String?.self).map { caller.covers($0, in: .school) } ?? false
        case .clinicStaff?:
            return try row.decode("served_by_my_clinic", as: Bool.self)
        default:
            return false
        }
    }

    /// Whether the caller sees a follow-up in the list: those they handle, and every follow-up of an
    /// overseer's units, clinical ones included (read only, resolution withheld), so that the list of
    /// open follow-ups agrees with the dashboard's count of them.
    static func sees(_ caller: Caller, _ row: PostgresRow) throws -> Bool {
        if try Self.handles(caller, row) { return true }
        return !caller.roles(at: try row.decode("unit_path", as: String.self)).isDisjoint(with: Self.overseers)
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/follow-ups", .permission(.followUpsHandle)) { request, _, caller in
            let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
            guard ["open", "resolved"].contains(status) else {
                throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be open or resolved")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                try await transaction.query("""
                    select \(Self.columns) from follow_up f left join person p on p.id = f.person_id
                    where f.status = \(status) order by f.opened_at limit 2000
                    """).filter { try Self.sees(caller, $0) }.prefix(500).map { try Self.followUp($0, caller: caller) }
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.post, "/v1/follow-ups/:id/resolve", .permission(.followUpsHandle)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: Resolve.self, context: context)
            let resolution = body.resolution.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...2000).contains(resolution.count) else {
                throw Problem.validation([.init(field: "resolution", message: "say how it was resolved (1 to 2000 characters)")])
            }
            let resolved = try await self.database.transaction(for: caller) { transaction in
                guard let row = try await transaction.query("""
                    select \(Self.columns) from follow_up f left join person p on p.id = f.person_id where f.id = \(id) for update of f
                    """).first
                else { throw Problem.notFound("No such follow-up.") }
                let current = try Self.followUp(row, caller: caller)
                guard current.canResolve else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                  detail: "This follow-up is routed to \(current.routedRole).")
                }
                guard current.version == version else {
                    throw Problem.versionMismatch("follow-up", current: current.version)
                }
                guard current.status == "open" else {
                    throw Problem(status: .conflict, code: "already_resolved", title: "The follow-up is already resolved")
                }
                try await transaction.query("""
                    update follow_up set status = 'resolved', resolved_at = now(), resolved_by = \(caller.accountID), resolution = \(resolution),
                        version = version + 1
                    where id = \(id)
                    """)
                let updated = try await transaction.query("""
                    select \(Self.columns) from follow_up f left join person p on p.id = f.person_id where f.id = \(id)
                    """).first.map { try Self.followUp($0, caller: caller) }
                guard let updated else { throw Problem.internalError }
                if let person = updated.personId {
                    try await transaction.query("""
                        insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
                        values (\(UUID()), \(person), 'grid', 'follow_up.resolved', \("跟进已办结：" + updated.need), \(caller.name),
                            \(id.uuidString.lowercased()))
                        """)
                }
                return updated
            }
            return try JSONResponse(resolved, headers: [.eTag: "\"\(resolved.version)\""])
        }
    }

    private static func followUp(_ row: PostgresRow, caller: Caller) throws -> FollowUp {
        let canResolve = try Self.handles(caller, row)
        return FollowUp(
            id: try row.decode("id"), checkId: try row.decode("check_id"), checkupId: try row.decode("checkup_id"),
            schoolStatusChangeId: try row.decode("school_status_change_id"), personId: try row.decode("person_id"),
            personName: try row.decode("person_name"), householdId: try row.decode("household_id"), need: try row.decode("need"), routedRole: try row.decode("routed_role"),
            status: try row.decode("status"), openedAt: try row.decode("opened_at"), resolvedAt: try row.decode("resolved_at"),
            // A clinical resolution is the clinic's to read.
            resolution: canResolve ? try row.decode("resolution") : nil, version: try row.decode("version"), canResolve: canResolve
        )
    }
}
