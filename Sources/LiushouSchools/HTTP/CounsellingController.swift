import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/counselling-sessions`, `/v1/persons/:id/counselling`: counselling records (心理辅导). Details
/// only for the school's designated counsellors and the town's child-welfare supervisor (each read
/// audited); everyone else who sees the child sees only that sessions happened.
struct CounsellingController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// Records a session with a child on the roll of the counsellor's school; a retry with the same id
    /// and content answers the stored session. The timeline says only that a session happened.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: CounsellingInput.self, context: context)
        let (session, created) = try await RollRecords.create(
            input,
            record: "counselling session",
            primaryKey: "counselling_session_pkey",
            errors: SchoolRules.problems(input, today: self.clock.today()),
            timeline: ("school.counselling", "心理辅导（\(input.heldOn)，内容保密）"),
            database: self.database,
            caller: caller,
            stored: { try await CounsellingStore.find(input.id, in: $0).map { ($0.session, $0.hash) } },
            check: { membership, _, transaction in
                if let membership, try await !SchoolLookup.callerIsCounsellor(at: membership.schoolId, in: transaction) {
                    throw Problem.forbidden("Only a counsellor the town designated at the child's school records counselling.")
                }
            },
            insert: { try await CounsellingStore.insert(input, school: $0.schoolId, caller: caller, in: $1) },
            audit: { membership in
                AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "counselling.create",
                    resource: "person",
                    recordID: input.personId.uuidString.lowercased(),
                    unitID: membership.schoolId,
                    unitPath: membership.schoolPath
                )
            }
        )
        return try JSONResponse(session, status: created ? .created : .ok)
    }

    /// That sessions happened, and the details the caller may read (each read audited per school).
    @Sendable func view(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let view = try await self.database.transaction(for: caller) { transaction in
            guard try await SchoolLookup.personVisible(id, in: transaction) else { throw Problem.noSuchPerson }
            let held = try await CounsellingStore.held(id, in: transaction)
            let details = try await CounsellingStore.details(id, caller: caller, in: transaction)
            guard !details.isEmpty else { return CounsellingView(personId: id, sessions: held, details: nil) }
            // Filed under each school whose sessions were read, so the auditors of that school's town find it.
            for school in Set(details.map(\.schoolId)) {
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "counselling.read",
                    resource: "person",
                    recordID: id.uuidString.lowercased(),
                    unitID: school,
                    detail: ["sessions": String(details.filter { $0.schoolId == school }.count)]
                ).append(in: transaction)
            }
            return CounsellingView(personId: id, sessions: held, details: details)
        }
        return try JSONResponse(view)
    }
}
