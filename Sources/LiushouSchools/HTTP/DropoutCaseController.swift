import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/dropout-cases`: dropout-control cases (控辍保学), open until the child is back in school or the
/// town closes them with a reason.
public struct DropoutCaseController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [DropoutCase]
    }

    struct Close: Decodable {
        var reason: String
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/dropout-cases", .permission(.schoolsRead)) { request, _, caller in
            let query = request.uri.queryParameters
            let status = query["status"].map(String.init) ?? "open"
            guard ["open", "closed"].contains(status) else {
                throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be open or closed")])
            }
            var filter: SQLQuery = "d.status = \(status)"
            if let value = query["unitId"] {
                guard let unit = UUID(uuidString: String(value)) else {
                    throw Problem.badRequest("unitId is invalid.", errors: [.init(field: "unitId", message: "must be a UUID")])
                }
                filter = """
                    \(filter) and (d.school_id = \(unit)
                        or exists (select from liushou_unit_brief(d.unit_id) b, liushou_unit_brief(\(unit)) u where b.path::ltree <@ u.path::ltree))
                    """
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                try await RollStore.cases(where: filter, in: transaction)
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.post, "/v1/dropout-cases/:id/close", .permission(.schoolsDropoutClose)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: Close.self, context: context)
            let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...1000).contains(reason.count) else {
                throw Problem.validation([.init(field: "reason", message: "say why the town closes the case (1 to 1000 characters)")])
            }
            let closed = try await self.database.transaction(for: caller) { transaction in
                guard let row = try await transaction.query("""
                    select \(RollStore.caseColumns) from dropout_case d left join person p on p.id = d.person_id where d.id = \(id)
                    """).first
                else { throw Problem.notFound("No such dropout case.") }
                let path = try row.decode("unit_path", as: String.self)
                guard caller.holds(.schoolsDropoutClose, at: path) else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed", detail: "The child's town closes the case.")
                }
                let current = try await transaction.query("select version, status from dropout_case where id = \(id) for update").first
                guard let current else { throw Problem.notFound("No such dropout case.") }
                let stored = try current.decode("version", as: Int.self)
                guard stored == version else { throw Problem.versionMismatch("dropout case", current: stored) }
                guard try current.decode("status", as: String.self) == "open" else {
                    throw Problem(status: .conflict, code: "already_closed", title: "The dropout case is already closed")
                }
                let found = try RollStore.dropoutCase(row)
                try await Timeline.add(found.personId, kind: "school.dropout_closed", summary: "控辍保学个案由乡镇关闭：" + reason, caller: caller,
                                       record: id, in: transaction)
                try await transaction.query("""
                    update dropout_case set status = 'closed', closed_on = \(PersonValidator.chinaToday()), closed_how = 'closed_by_town',
                        close_reason = \(reason), closed_by = \(caller.accountID), version = version + 1
                    where id = \(id)
                    """)
                try await AuditEntry(caller: caller, context: context, action: "school.dropout_close", resource: "dropout_case",
                                     recordID: id.uuidString.lowercased(), unitID: found.unitId, unitPath: path).append(in: transaction)
                guard let updated = try await RollStore.cases(where: "d.id = \(id)", limit: 1, in: transaction).first else { throw Problem.internalError }
                return updated
            }
            return try JSONResponse(closed, headers: [.eTag: "\"\(closed.version)\""])
        }
    }
}
