import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/safeguarding-reports`: mandatory reports (强制报告) any user files; the town's supervisor
/// and administrators see them at once, record the police notification and acknowledge them.
/// Details are read only by those roles (and the reporter), and every read is audited.
struct SafeguardingController: Sendable {
    let database: TenantDatabase
    let store: SafeguardingStore

    struct Create: Decodable {
        var id: UUID?
        var personId: UUID?
        var unitId: UUID?
        var kind: SafeguardingKind
        var details: String
        var policeNotifiedAt: Date?

        var policeReference: String?
    }

    struct Police: Decodable {
        var notifiedAt: Date
        var reference: String?
    }

    /// `GET /v1/safeguarding-reports` parameters as sent: `status=all` lists acknowledged reports too.
    struct ListQuery: Decodable {
        var status: String?
    }

    /// Files a report about a person (under the person's unit) or about a unit of the caller's county;
    /// repeating the same report with its id answers the stored one.
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: Create.self, context: context)
        let details = body.details.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [Problem.FieldError] = []
        if !(1...4000).contains(details.unicodeScalars.count) {
            errors.append(.init(field: "details", message: "describe what happened (1 to 4000 characters)"))
        }
        if body.personId == nil, body.unitId == nil {
            errors.append(.init(field: "personId", message: "name the person, or the unitId where it happened"))
        }
        if let notified = body.policeNotifiedAt, notified > Date().addingTimeInterval(600) {
            errors.append(.init(field: "policeNotifiedAt", message: "is in the future"))
        }
        if let reference = body.policeReference, reference.unicodeScalars.count > 100 {
            errors.append(.init(field: "policeReference", message: "must have at most 100 characters"))
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let id = try request.createdID(body.id, by: caller)
        // A concurrent create of the same id runs again and answers from the stored report.
        return try await DuplicateRetry.once(primaryKey: "safeguarding_report_pkey") {
            try await self.database.transaction(for: caller) { transaction in
                if let existing = try await self.store.find(id, in: transaction) {
                    let report = existing.0
                    guard report.kind == body.kind.rawValue, report.details == details, report.personId == body.personId else {
                        throw Problem.idConflict("report")
                    }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return try JSONResponse(report, headers: [.eTag: "\"\(report.version)\""])
                }
                let unitID: UUID
                if let personID = body.personId {
                    guard let unit = try await self.store.unit(ofPerson: personID, in: transaction)
                    else { throw Problem.validation([.init(field: "personId", message: "no such person in your scope")]) }
                    unitID = unit
                } else if let unit = body.unitId, try await self.store.isInMyCounty(unit, in: transaction) {
                    unitID = unit
                } else {
                    throw Problem.validation([.init(field: "unitId", message: "no such village or grid in your county")])
                }
                guard
                    let inserted = try await self.store.insert(
                        id: id,
                        personId: body.personId,
                        unitId: unitID,
                        kind: body.kind,
                        details: details,
                        by: caller,
                        policeNotifiedAt: body.policeNotifiedAt,
                        policeReference: body.policeReference,
                        in: transaction
                    )
                else { throw Problem.internalError }
                let (report, path) = inserted
                if let person = body.personId {
                    try await PersonTimeline.append(
                        .init(
                            person: person,
                            module: "grid",
                            kind: "safeguarding.reported",
                            summary: "已提交一份强制报告（内容仅限乡镇督导员与管理员查看）",
                            accountName: nil,
                            recordID: id.uuidString.lowercased()
                        ),
                        in: transaction
                    )
                }
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "safeguarding.report",
                    resource: "safeguarding_report",
                    recordID: id.uuidString.lowercased(),
                    unitID: unitID,
                    unitPath: path,
                    detail: ["kind": body.kind.rawValue]
                )
                .append(in: transaction)
                return try JSONResponse(
                    report,
                    status: .created,
                    headers: [.eTag: "\"1\"", .location: "/v1/safeguarding-reports/\(id.uuidString.lowercased())"]
                )
            }
        }
    }

    /// Reports in the caller's safeguarding scope, open ones first, without details; the read is audited.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let status = try request.uri.decodeQuery(as: ListQuery.self, context: context).status ?? "open"
        guard ["open", "all"].contains(status) else {
            throw Problem.badRequest("status is open or all.", errors: [.init(field: "status", message: "must be open or all")])
        }
        let open = status == "open"
        let reports = try await self.database.transaction(for: caller) { transaction in
            let reports = try await self.store.list(open: open, in: transaction)
            let home = caller.grants.first
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "safeguarding.list",
                resource: "safeguarding_report",
                unitID: home?.unitID,
                unitPath: home?.unitPath,
                detail: ["rows": String(reports.count)]
            ).append(in: transaction)
            return reports
        }
        return try JSONResponse(Items(items: reports))
    }

    /// One report with its details (row-level security lets the reporter and the town's overseers read it); audited.
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let report = try await self.database.transaction(for: caller) { transaction in
            let (report, path) = try await self.load(id, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "safeguarding.read",
                resource: "safeguarding_report",
                recordID: id.uuidString.lowercased(),
                unitID: report.unitId,
                unitPath: path
            ).append(in: transaction)
            return report
        }
        return try JSONResponse(report, headers: [.eTag: "\"\(report.version)\""])
    }

    /// Records when (and under which reference) the police were notified.
    @Sendable func recordPolice(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let body = try await request.decodeJSON(as: Police.self, context: context)
        if body.notifiedAt > Date().addingTimeInterval(600) {
            throw Problem.validation([.init(field: "notifiedAt", message: "is in the future")])
        }
        if let reference = body.reference, reference.unicodeScalars.count > 100 {
            throw Problem.validation([.init(field: "reference", message: "must have at most 100 characters")])
        }
        return try await self.change(id, version: version, action: "safeguarding.police", context, caller) { transaction in
            let changed = try await self.store.recordPolice(
                id,
                version: version,
                notifiedAt: body.notifiedAt,
                reference: body.reference,
                by: caller,
                in: transaction
            )
            if changed == 0 {
                throw Problem.versionMismatch("report", current: try await self.load(id, in: transaction).0.version)
            }
        }
    }

    @Sendable func acknowledge(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        return try await self.change(id, version: version, action: "safeguarding.acknowledge", context, caller) { transaction in
            if try await self.store.acknowledge(id, version: version, by: caller, in: transaction) == 0 {
                let (current, _) = try await self.load(id, in: transaction)
                guard current.acknowledgedAt != nil else { throw Problem.versionMismatch("report", current: current.version) }
                throw Problem(status: .conflict, code: "already_acknowledged", title: "The report is already acknowledged")
            }
        }
    }

    private func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> (SafeguardingReport, String?) {
        guard let found = try await self.store.find(id, in: transaction) else { throw Problem.notFound("No such report.") }
        return found
    }

    /// Applies a change to a report the caller oversees, at `version`; answers the changed report, audited.
    private func change(
        _ id: UUID,
        version: Int,
        action: String,
        _ context: AppRequestContext,
        _ caller: Caller,
        _ apply: (PostgresTransaction) async throws -> Void
    ) async throws -> JSONResponse {
        try await self.database.transaction(for: caller) { transaction in
            let (current, path) = try await self.load(id, in: transaction)
            guard let path, caller.holds(.safeguardingRead, at: path) else { throw Problem.notFound("No such report.") }
            guard current.version == version else {
                throw Problem.versionMismatch("report", current: current.version)
            }
            try await apply(transaction)
            let (updated, _) = try await self.load(id, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: action,
                resource: "safeguarding_report",
                recordID: id.uuidString.lowercased(),
                unitID: updated.unitId,
                unitPath: path
            ).append(in: transaction)
            return try JSONResponse(updated, headers: [.eTag: "\"\(updated.version)\""])
        }
    }
}
