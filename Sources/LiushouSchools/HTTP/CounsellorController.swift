import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/schools/:id/counsellors`: the town designates which of a school's staff are its counsellors
/// (the only school accounts that read and write counselling details).
struct CounsellorController: Sendable {
    let database: TenantDatabase

    struct Designate: Decodable {
        var accountId: UUID
    }

    /// Designates a staff account; an account already designated answers its running designation.
    @Sendable func designate(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let body = try await request.decodeJSON(as: Designate.self, context: context)
        // Two identical requests at once: the second meets the first's row and answers as a retry would.
        let (counsellor, created) = try await DuplicateRetry.once(
            primaryKey: "school_counsellor_pkey",
            record: "counsellor",
            alsoRetrying: ["school_counsellor_active"]
        ) {
            try await self.database.transaction(for: caller) { transaction in
                let school = try await Self.managed(id, caller: caller, in: transaction)
                if let running = try await CounsellingStore.activeCounsellor(body.accountId, at: id, in: transaction) {
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (running, false)
                }
                guard try await SchoolLookup.isStaff(body.accountId, at: id, in: transaction) else {
                    throw Problem.validation([.init(field: "accountId", message: "is not an active staff account of the school")])
                }
                let newID = try await CounsellingStore.designate(body.accountId, at: id, caller: caller, in: transaction)
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "school.counsellor_designate",
                    resource: "account",
                    recordID: body.accountId.uuidString.lowercased(),
                    unitID: id,
                    unitPath: school.path
                ).append(in: transaction)
                guard let counsellor = try await CounsellingStore.counsellor(newID, in: transaction) else { throw Problem.internalError }
                return (counsellor, true)
            }
        }
        return try JSONResponse(counsellor, status: created ? .created : .ok)
    }

    @Sendable func revoke(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let account = try context.uuidParameter("accountId")
        let counsellor = try await self.database.transaction(for: caller) { transaction in
            let school = try await Self.managed(id, caller: caller, in: transaction)
            guard let counsellor = try await CounsellingStore.revoke(account, at: id, caller: caller, in: transaction) else {
                throw Problem.notFound("No such counsellor.")
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "school.counsellor_revoke",
                resource: "account",
                recordID: account.uuidString.lowercased(),
                unitID: id,
                unitPath: school.path
            ).append(in: transaction)
            return counsellor
        }
        return try JSONResponse(counsellor)
    }

    /// A school whose counsellors the caller designates; else 404.
    private static func managed(_ id: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> SchoolLookup {
        guard let school = try await SchoolLookup.find(id, in: transaction), school.kind == "school", caller.covers(school.path, in: .schoolsManage)
        else {
            throw Problem.notFound("No such school.")
        }
        return school
    }
}
