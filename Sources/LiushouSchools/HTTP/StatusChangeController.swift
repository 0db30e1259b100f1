import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/enrolments/:id/status-changes`: transfers, suspensions, long absences, dropouts and returns.
struct StatusChangeController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    /// Records a change of the row (`If-Match` its version); a retry with the same id and content
    /// answers the stored change.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let input = try await request.decodeJSON(as: StatusChangeInput.self, context: context)
        let today = self.clock.today()
        // A transfer opens the receiving school's row under the change's id: an id already naming an
        // enrolment (visible or not) is taken like any other.
        let problems = SchoolConstraints.problems.merging(["school_enrolment_pkey": Problem.idConflict("status change")]) { $1 }
        let (result, created) = try await DuplicateRetry.once(primaryKey: "school_status_change_pkey", uniqueProblems: problems) {
            try await self.database.transaction(for: caller) { transaction in
                if let stored = try await RollStore.change(input.id, in: transaction) {
                    guard stored.hash == ContentHash.of(StatusChanger.Content(enrolmentId: id, input: input)) else {
                        throw Problem.idConflict("status change")
                    }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (try await self.result(stored.change, alerts: nil, in: transaction), false)
                }
                let (enrolment, school) = try await RollRecords.writableEnrolment(
                    id,
                    by: caller,
                    in: transaction,
                    else: "Status changes are recorded by the school or the town managing it."
                )
                guard let current = try await RollStore.lockedVersion(id, in: transaction) else { throw Problem.notFound("No such enrolment.") }
                guard current == version else { throw Problem.versionMismatch("enrolment", current: current) }
                guard enrolment.status.isOpen else {
                    throw Problem(
                        status: .conflict,
                        code: "enrolment_closed",
                        title: "The child has left this school's roll",
                        detail: "The row ended as \(enrolment.status.rawValue); the receiving school records further changes."
                    )
                }
                var errors = SchoolRules.problems(input, enrolment: enrolment, today: today)
                // Changes follow each other in time: a back-dated one would disagree with the current status.
                if let latest = try await RollStore.latestChange(of: enrolment.id, in: transaction), input.effectiveOn < latest {
                    errors.append(.init(field: "effectiveOn", message: "is before the last change of this enrolment (\(latest))"))
                }
                if let to = input.toSchoolId, to != enrolment.schoolId,
                    try await !SchoolLookup.inSameCounty(to, as: enrolment.schoolId, in: transaction)
                {
                    errors.append(.init(field: "toSchoolId", message: "is not an active school of the county"))
                }
                if !errors.isEmpty { throw Problem.validation(errors) }
                let applied = try await StatusChanger.apply(input, to: enrolment, caller: caller, in: transaction)
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "school.status_change",
                    resource: "school_enrolment",
                    recordID: id.uuidString.lowercased(),
                    unitID: school.id,
                    unitPath: school.path,
                    detail: ["toStatus": input.toStatus.rawValue]
                ).append(in: transaction)
                guard let stored = try await RollStore.change(input.id, in: transaction) else { throw Problem.internalError }
                return (try await self.result(stored.change, alerts: applied.alerts, in: transaction), true)
            }
        }
        return try JSONResponse(result, status: created ? .created : .ok, headers: [.eTag: "\"\(result.enrolment.version)\""])
    }

    /// The change with the row as it is now, the receiving row and the dropout case it opened or closed.
    private func result(_ change: StatusChange, alerts: Int?, in transaction: PostgresTransaction) async throws -> StatusChangeResult {
        guard let enrolment = try await RollStore.enrolment(change.enrolmentId, in: transaction) else { throw Problem.internalError }
        // The receiving school's row has the change's id (the sending school cannot read it).
        let receiving = change.toSchoolId == nil ? nil : change.id
        let dropout = try await RollStore.dropoutCase(openedOrClosedBy: change.id, in: transaction)
        let count = alerts ?? (change.toStatus.raisesAlert ? StatusChanger.alertRoles.count : 0)
        return StatusChangeResult(change: change, enrolment: enrolment, receivingEnrolmentId: receiving, dropoutCase: dropout, alerts: count)
    }
}
