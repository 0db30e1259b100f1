import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/dropout-cases`: dropout-control cases (控辍保学), open until the child is back in school or the
/// town closes them with a reason.
struct DropoutCaseController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    struct ListQuery: Decodable {
        /// `open` (default) or `closed`.
        var status: String
        /// Cases of children of this unit's subtree, or at this school.
        var unitId: UUID?

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: NamedKey.self)
            self.status = try values.parameter("status", { ["open", "closed"].contains($0) ? $0 : nil }, message: "must be open or closed") ?? "open"
            self.unitId = try values.parameter("unitId", UUID.init(canonical:), message: "must be a UUID")
        }
    }

    struct Close: Decodable {
        var reason: String
    }

    @Sendable func list(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: ListQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            try await RollStore.cases(status: query.status, unit: query.unitId, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// The town closes an open case with a reason (`If-Match` the case's version).
    @Sendable func close(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let body = try await request.decodeJSON(as: Close.self, context: context)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...1000).contains(reason.unicodeScalars.count) else {
            throw Problem.validation([.init(field: "reason", message: "say why the town closes the case (1 to 1000 characters)")])
        }
        let closed = try await self.database.transaction(for: caller) { transaction in
            guard let stored = try await RollStore.dropoutCaseWithPath(id, in: transaction) else { throw Problem.notFound("No such dropout case.") }
            let (found, path) = (stored.dropoutCase, stored.unitPath)
            guard caller.holds(.schoolsDropoutClose, at: path) else {
                throw Problem.forbidden("The child's town closes the case.")
            }
            guard let current = try await RollStore.lockedCase(id, in: transaction) else { throw Problem.notFound("No such dropout case.") }
            guard current.version == version else { throw Problem.versionMismatch("dropout case", current: current.version) }
            guard current.status == "open" else {
                throw Problem(status: .conflict, code: "already_closed", title: "The dropout case is already closed")
            }
            // Through the case, not the child: the file may have moved to another town since.
            try await transaction.query(
                "select dropout_case_timeline(\(id), \(UUID.timeOrdered()), \("控辍保学个案由乡镇关闭：" + reason), \(caller.name))"
            )
            try await RollStore.closeCase(id, on: self.clock.today(), reason: reason, caller: caller, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "school.dropout_close",
                resource: "dropout_case",
                recordID: id.uuidString.lowercased(),
                unitID: found.unitId,
                unitPath: path
            ).append(in: transaction)
            guard let updated = try await RollStore.dropoutCase(id, in: transaction) else { throw Problem.internalError }
            return updated
        }
        return try JSONResponse(closed, headers: [.eTag: "\"\(closed.version)\""])
    }
}
