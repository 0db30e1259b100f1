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
        var checkId: UUID
        var personId: UUID?
        var householdId: UUID?
        var need: String
        var routedRole: String
        var status: String
        var openedAt: Date
        var resolvedAt: Date?
        var resolution: String?
        var version: Int
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
        id, check_id, person_id, household_id, need, routed_role, status, opened_at, resolved_at, resolution, version
        """

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/follow-ups", .permission(.followUpsHandle)) { request, _, caller in
            let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
            guard ["open", "resolved"].contains(status) else {
                throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be open or resolved")])
            }
            let roles = Set(caller.grants.map(\.role))
            let routed: [String] = roles.isDisjoint(with: Self.overseers) ? roles.map(\.rawValue) : Role.allCases.map(\.rawValue)
            let items = try await self.database.transaction(for: caller) { transaction in
                try await transaction.query("""
                    select \(Self.columns) from follow_up where status = \(status) and routed_role = any(\(routed))
                    order by opened_at limit 500
                    """).map(Self.followUp)
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
                guard let current = try await transaction.query("select \(Self.columns) from follow_up where id = \(id) for update").first
                    .map(Self.followUp)
                else { throw Problem.notFound("No such follow-up.") }
                let roles = Set(caller.grants.map(\.role))
                guard roles.contains(where: { $0.rawValue == current.routedRole }) || !roles.isDisjoint(with: Self.overseers) else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                  detail: "This follow-up is routed to \(current.routedRole).")
                }
                guard current.version == version else {
                    throw Problem(status: .preconditionFailed, code: "version_mismatch", title: "The follow-up changed since you read it",
                                  detail: "Current version is \(current.version).")
                }
                guard current.status == "open" else {
                    throw Problem(status: .conflict, code: "already_resolved", title: "The follow-up is already resolved")
                }
                let updated = try await transaction.query("""
                    update follow_up set status = 'resolved', resolved_at = now(), resolved_by = \(caller.accountID), resolution = \(resolution),
                        version = version + 1
                    where id = \(id) returning \(Self.columns)
                    """).first.map(Self.followUp)
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

    private static func followUp(_ row: PostgresRow) throws -> FollowUp {
        FollowUp(
            id: try row.decode("id"), checkId: try row.decode("check_id"), personId: try row.decode("person_id"),
            householdId: try row.decode("household_id"), need: try row.decode("need"), routedRole: try row.decode("routed_role"),
            status: try row.decode("status"), openedAt: try row.decode("opened_at"), resolvedAt: try row.decode("resolved_at"),
            resolution: try row.decode("resolution"), version: try row.decode("version")
        )
    }
}
