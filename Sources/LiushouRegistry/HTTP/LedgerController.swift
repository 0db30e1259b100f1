import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/imports/persons` and `/v1/exports/persons`: the 台账 as CSV.
struct LedgerController: Sendable {
    let database: TenantDatabase
    let importer: PersonImporter
    let repository: any PersonRepository

    struct ImportQuery: Decodable {
        var dryRun: String?
    }

    /// Imports a 台账 CSV (UTF-8 or GBK) all or nothing; `?dryRun=true` checks it without keeping anything.
    @Sendable func importLedger(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let dryRun: Bool
        switch try request.uri.decodeQuery(as: ImportQuery.self, context: context).dryRun {
        case nil, "false": dryRun = false
        case "true": dryRun = true
        default: throw Problem.badRequest("dryRun must be true or false.", errors: [.init(field: "dryRun", message: "must be true or false")])
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var report: ImportReport
        do {
            report = try await self.importer.run(
                Data(body.readableBytesView),
                dryRun: dryRun,
                caller: caller,
                origin: AuditOrigin(context),
                database: self.database
            )
        } catch let refusal as any ProblemConvertible {
            throw Self.localized(refusal.problem, request: request)
        }
        // People read a ledger's errors: in Chinese unless the request asks for English.
        for index in report.results.indices {
            report.results[index].errors = FieldMessages.localized(report.results[index].errors, for: request)
        }
        return try JSONResponse(report, status: dryRun ? .ok : .created)
    }

    /// A unit's files as a 台账 CSV, masked unless a reveal is asked for and allowed; audited.
    @Sendable func exportLedger(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> CSVAttachment {
        var query = try request.uri.decodeQuery(as: PersonListQuery.self, context: context).scoped(to: caller)
        let disclosure = try IdentifierDisclosure(request: request)
        guard let unitID = query.unitID else {
            throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "name the unit to export")])
        }
        // Exports are for those who hold the files of the unit, not for pairings or enrolments.
        query.schoolPaths = []
        query.clinicPaths = []
        query.assignedTo = nil
        query.limit = 2000
        let (text, unitName) = try await self.database.transaction(for: caller, kind: .bulk) { transaction in
            guard let unit = try await UnitBrief.load(unitID, in: transaction), caller.holds(.personsExport, at: unit.path) else {
                throw Problem.noSuchUnit
            }
            let revealed = try await disclosure.authorize(
                caller: caller,
                unitID: unit.id,
                unitPath: unit.path,
                resource: "person_export",
                recordID: unit.id.uuidString.lowercased(),
                context: context,
                transaction: transaction
            )
            var export = LedgerExport(transaction: transaction)
            var count = 0
            while true {
                let page = try await self.repository.records(query, in: transaction)
                for record in page {
                    try await export.append(PersonController.view(record, caller: caller, revealed: revealed))
                }
                count += page.count
                guard page.count == query.limit, let last = page.last else { break }
                query.after = (last.file.name, last.id)
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "person.export",
                resource: "person",
                recordID: nil,
                unitID: unit.id,
                unitPath: unit.path,
                detail: ["rows": String(count), "unmasked": revealed ? "true" : "false"]
            ).append(in: transaction)
            return (export.text, unit.name)
        }
        return CSVAttachment(text, filename: "persons.csv", displayName: "\(unitName)台账.csv")
    }

    /// The importer's refusal in the reader's language, keeping how many rows failed.
    private static func localized(_ problem: Problem, request: Request) -> Problem {
        var localized = problem.localized(for: request)
        if localized != problem, let detail = problem.detail,
            let match = detail.firstMatch(of: /^(\d+) of (\d+) rows have errors; nothing was imported\./)
        {
            // The rows' errors are listed in `errors`, each under its row and column.
            localized.detail = "共 \(match.2) 行，其中 \(match.1) 行有误，未导入任何内容。请按标出的行和栏目改正后重新导入。"
        }
        return localized
    }
}
