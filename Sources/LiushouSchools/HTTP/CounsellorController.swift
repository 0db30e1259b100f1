import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/schools/:id/counsellors`: the town designates which of a school's staff are its counsellors
/// (the only school accounts that read and write counselling details).
public struct CounsellorController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Designate: Decodable {
        var accountId: UUID
    }

    static let columns: SQLQuery = "c.id, c.school_id, c.account_id, c.designated_at, c.revoked_at"

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/schools/:id/counsellors", .permission(.schoolsCounsellors)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let body = try await request.decodeJSON(as: Designate.self, context: context)
            let (counsellor, created) = try await self.database.transaction(for: caller) { transaction in
                let school = try await Self.managed(id, caller: caller, in: transaction)
                if let row = try await transaction.query("""
                    select \(Self.columns) from school_counsellor c where c.school_id = \(id) and c.account_id = \(body.accountId) and c.revoked_at is null
                    """).first {
                    return (try Self.counsellor(row), false)
                }
                guard try await transaction.query("select liushou_is_school_staff(\(body.accountId), \(id)) as staff").first?
                    .decode("staff", as: Bool.self) == true
                else { throw Problem.validation([.init(field: "accountId", message: "is not an active staff account of the school")]) }
                let newID = UUID()
                try await transaction.query("""
                    insert into school_counsellor (id, school_id, account_id, designated_by) values (\(newID), \(id), \(body.accountId), \(caller.accountID))
                    """)
                try await AuditEntry(caller: caller, context: context, action: "school.counsellor_designate", resource: "account",
                                     recordID: body.accountId.uuidString.lowercased(), unitID: id, unitPath: school.path).append(in: transaction)
                guard let row = try await transaction.query("select \(Self.columns) from school_counsellor c where c.id = \(newID)").first else {
                    throw Problem.internalError
                }
                return (try Self.counsellor(row), true)
            }
            return try JSONResponse(counsellor, status: created ? .created : .ok)
        }
        routes.on(.post, "/v1/schools/:id/counsellors/:accountId/revoke", .permission(.schoolsCounsellors)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let account = try context.uuidParameter("accountId")
            let counsellor = try await self.database.transaction(for: caller) { transaction in
                let school = try await Self.managed(id, caller: caller, in: transaction)
                guard let row = try await transaction.query("""
                    update school_counsellor c set revoked_at = now(), revoked_by = \(caller.accountID)
                    where c.school_id = \(id) and c.account_id = \(account) and c.revoked_at is null
                    returning \(Self.columns)
                    """).first
                else { throw Problem.notFound("No such counsellor.") }
                try await AuditEntry(caller: caller, context: context, action: "school.counsellor_revoke", resource: "account",
                                     recordID: account.uuidString.lowercased(), unitID: id, unitPath: school.path).append(in: transaction)
                return try Self.counsellor(row)
            }
            return try JSONResponse(counsellor)
        }
    }

    /// A school whose counsellors the caller designates; else 404.
    private static func managed(_ id: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> SchoolLookup {
        guard let school = try await SchoolLookup.find(id, in: transaction), school.kind == "school", caller.covers(school.path, in: .schoolsManage) else {
            throw Problem.notFound("No such school.")
        }
        return school
    }

    static func counsellor(_ row: PostgresRow) throws -> Counsellor {
        Counsellor(id: try row.decode("id"), schoolId: try row.decode("school_id"), accountId: try row.decode("account_id"),
                   designatedAt: try row.decode("designated_at"), revokedAt: try row.decode("revoked_at"))
    }
}
