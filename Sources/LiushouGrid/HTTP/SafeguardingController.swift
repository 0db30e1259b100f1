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
public struct SafeguardingController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    enum Kind: String, Codable, CaseIterable {
        case livingAlone = "living_alone"
        case missing
        case guardianIncapable = "guardian_incapable"
        case neglect
        case violence
        case injury

        var chineseName: String {
            switch self {
            case .livingAlone: return "儿童独居"
            case .missing: return "儿童失踪"
            case .guardianIncapable: return "监护人丧失监护能力"
            case .neglect: return "监护人不履行监护职责"
            case .violence: return "疑似遭受家庭暴力"
            case .injury: return "疑似遭受不法侵害"
            }
        }
    }

    struct Create: Decodable {
        var id: UUID?
        var personId: UUID?
        var unitId: UUID?
        var kind: Kind
        var details: String
        var policeNotifiedAt: Date?

        var policeReference: String?
    }

    struct Police: Decodable {
        var notifiedAt: Date
        var reference: String?
    }

    struct Report: Encodable, Equatable {
        var id: UUID
        var personId: UUID?
        var unitId: UUID
        var kind: String
        /// Omitted in lists.
        var details: String?
        var reporterName: String
        var reportedAt: Date
        var policeNotifiedAt: Date?
        var policeReference: String?
        var acknowledgedAt: Date?
        var version: Int
    }

    struct Items: Encodable {
        var items: [Report]
    }

    private static let columns: SQLQuery = """
        r.id, r.person_id, r.unit_id, r.kind, r.details, r.reporter_name, r.reported_at, r.police_notified_at, r.police_reference,
        r.acknowledged_at, r.version, (select b.path from liushou_unit_brief(r.unit_id) b) as unit_path
        """

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/safeguarding-reports", .permission(.safeguardingReport)) { request, context, caller in
            let body = try await request.decodeJSON(as: Create.self, context: context)
            return try await self.create(body, context, caller)
        }
        routes.on(.get, "/v1/safeguarding-reports", .permission(.safeguardingRead)) { request, context, caller in
            let open = request.uri.queryParameters["status"].map(String.init) != "all"
            let reports = try await self.database.transaction(for: caller) { transaction in
                let filter: SQLQuery = open ? "r.acknowledged_at is null" : "true"
                let reports = try await transaction.query("""
                    select \(Self.columns) from safeguarding_report r where \(filter) and liushou_unit_in_scope(r.unit_id, 'safeguarding')
                    order by r.acknowledged_at is not null, r.reported_at desc limit 500
                    """).map { try Self.report($0, details: false).0 }
                let home = caller.grants.first
                try await AuditEntry(caller: caller, context: context, action: "safeguarding.list", resource: "safeguarding_report",
                                     unitID: home?.unitID, unitPath: home?.unitPath, detail: ["rows": String(reports.count)]).append(in: transaction)
                return reports
            }
            return try JSONResponse(Items(items: reports))
        }
        routes.on(.get, "/v1/safeguarding-reports/:id", .permission(.safeguardingReport)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let report = try await self.database.transaction(for: caller) { transaction in
                let (report, path) = try await self.load(id, in: transaction)
                try await AuditEntry(caller: caller, context: context, action: "safeguarding.read", resource: "safeguarding_report",
                                     recordID: id.uuidString.lowercased(), unitID: report.unitId, unitPath: path).append(in: transaction)
                return report
            }
            return try JSONResponse(report, headers: [.eTag: "\"\(report.version)\""])
        }
        routes.on(.post, "/v1/safeguarding-reports/:id/police", .permission(.safeguardingRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: Police.self, context: context)
            if body.notifiedAt > Date().addingTimeInterval(600) {
                throw Problem.validation([.init(field: "notifiedAt", message: "is in the future")])
            }
            return try await self.change(id, version: version, action: "safeguarding.police", context, caller) { transaction in
                try await transaction.query("""
                    update safeguarding_report set police_notified_at = \(body.notifiedAt), police_notified_by = \(caller.accountID),
                        police_reference = \(body.reference), version = version + 1
                    where id = \(id)
                    """)
            }
        }
        routes.on(.post, "/v1/safeguarding-reports/:id/acknowledge", .permission(.safeguardingRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            return try await self.change(id, version: version, action: "safeguarding.acknowledge", context, caller) { transaction in
                let updated = try await transaction.query("""
                    update safeguarding_report set acknowledged_at = now(), acknowledged_by = \(caller.accountID), version = version + 1
                    where id = \(id) and acknowledged_at is null
                    """)
                if updated.affectedRows == 0 {
                    throw Problem(status: .conflict, code: "already_acknowledged", title: "The report is already acknowledged")
                }
            }
        }
    }

    private func create(_ body: Create, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let details = body.details.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [Problem.FieldError] = []
        if !(1...4000).contains(details.count) { errors.append(.init(field: "details", message: "describe what happened (1 to 4000 characters)")) }
        if body.personId == nil, body.unitId == nil { errors.append(.init(field: "personId", message: "name the person, or the unitId where it happened")) }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        let id = body.id ?? UUID()
        return try await self.database.transaction(for: caller) { transaction in
            if let existing = try await transaction.query("select \(Self.columns) from safeguarding_report r where r.id = \(id)").first {
                let (report, _) = try Self.report(existing, details: true)
                guard report.kind == body.kind.rawValue, report.details == details, report.personId == body.personId else {
                    throw Problem.idConflict("report")
                }
                return try JSONResponse(report, headers: [.eTag: "\"\(report.version)\""])
            }
            let unitID: UUID
            if let personID = body.personId {
                guard let unit = try await transaction.query("select unit_id from person where id = \(personID)").first?.decode("unit_id", as: UUID.self)
                else { throw Problem.validation([.init(field: "personId", message: "no such person in your scope")]) }
                unitID = unit
            } else if let unit = body.unitId,
                try await transaction.query("select liushou_unit_in_my_county(\(unit)) as ok").first?.decode("ok", as: Bool.self) == true
            {
                unitID = unit
            } else {
                throw Problem.validation([.init(field: "unitId", message: "no such village or grid in your county")])
            }
            let inserted = try await transaction.query("""
                insert into safeguarding_report as r (id, person_id, unit_id, kind, details, reported_by, reporter_name, police_notified_at,
                    police_notified_by, police_reference)
                values (\(id), \(body.personId), \(unitID), \(body.kind.rawValue), \(details), \(caller.accountID), \(caller.name),
                    \(body.policeNotifiedAt), \(body.policeNotifiedAt == nil ? nil : caller.accountID), \(body.policeReference))
                returning \(Self.columns)
                """)
            guard let row = inserted.first else { throw Problem.internalError }
            let (report, path) = try Self.report(row, details: true)
            if let person = body.personId {
                try await transaction.query("""
                    insert into person_event (id, person_id, module, kind, summary, account_name, record_id)
                    values (\(UUID()), \(person), 'grid', 'safeguarding.reported', '已提交一份强制报告（内容仅限乡镇督导员与管理员查看）', null,
                        \(id.uuidString.lowercased()))
                    """)
            }
            try await AuditEntry(caller: caller, context: context, action: "safeguarding.report", resource: "safeguarding_report",
                                 recordID: id.uuidString.lowercased(), unitID: unitID, unitPath: path, detail: ["kind": body.kind.rawValue])
                .append(in: transaction)
            return try JSONResponse(report, status: .created, headers: [.eTag: "\"1\"", .location: "/v1/safeguarding-reports/\(id.uuidString.lowercased())"])
        }
    }

    private func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> (Report, String?) {
        guard let row = try await transaction.query("select \(Self.columns) from safeguarding_report r where r.id = \(id)").first else {
            throw Problem.notFound("No such report.")
        }
        return try Self.report(row, details: true)
    }

    private func change(
        _ id: UUID, version: Int, action: String, _ context: AppRequestContext, _ caller: Caller,
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
            try await AuditEntry(caller: caller, context: context, action: action, resource: "safeguarding_report",
                                 recordID: id.uuidString.lowercased(), unitID: updated.unitId, unitPath: path).append(in: transaction)
            return try JSONResponse(updated, headers: [.eTag: "\"\(updated.version)\""])
        }
    }

    private static func report(_ row: PostgresRow, details: Bool) throws -> (Report, String?) {
        (Report(
            id: try row.decode("id"), personId: try row.decode("person_id"), unitId: try row.decode("unit_id"), kind: try row.decode("kind"),
            details: details ? try row.decode("details") : nil, reporterName: try row.decode("reporter_name"),
            reportedAt: try row.decode("reported_at"), policeNotifiedAt: try row.decode("police_notified_at"),
            policeReference: try row.decode("police_reference"), acknowledgedAt: try row.decode("acknowledged_at"), version: try row.decode("version")
        ), try row.decode("unit_path"))
    }
}
