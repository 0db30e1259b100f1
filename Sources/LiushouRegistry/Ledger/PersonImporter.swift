import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Imports a person ledger (CSV in UTF-8, UTF-8 with BOM, or GBK). A file is all-or-nothing: any
/// row with an error writes nothing and the answer lists every row's errors. Rows match existing
/// files on the ID number, so importing the same file again changes nothing. A dry run does all the
/// work in a transaction it rolls back.
public struct PersonImporter: Sendable {
    let service: PersonService
    let repository: any PersonRepository

    /// An importer writing through `service`.
    public init(service: PersonService, repository: any PersonRepository) {
        self.service = service
        self.repository = repository
    }

    private struct DryRunFinished: Error {
        var report: ImportReport
    }

    /// Reads and imports a file; `progress` hears (rows done, rows in file) as rows are written.
    public func run(
        _ data: Data,
        dryRun: Bool,
        caller: Caller,
        origin: AuditOrigin,
        database: TenantDatabase,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> ImportReport {
        let (text, encoding, unreadable) = TextDecoding.decodeReportingUnreadable(data)
        if let header = unreadable.first(where: { $0.line == 1 }) {
            throw ServiceError.invalid([.init(field: "file", message: Self.unreadableMessage(header))])
        }
        let table: CSVTable
        do {
            table = try CSVTable(parsing: text)
        } catch {
            throw ServiceError.invalid([.init(field: "file", message: "\(error)")])
        }
        var columns: [Int: LedgerColumn] = [:]
        var ignored: [String] = []
        for (index, cell) in table.header.enumerated() {
            if let column = LedgerColumn(rawValue: cell) { columns[index] = column } else if !cell.isEmpty { ignored.append(cell) }
        }
        let missing = [LedgerColumn.name, .idNumber, .villageCode, .categories].filter { !columns.values.contains($0) }
        guard missing.isEmpty else {
            throw ServiceError.invalid(missing.map { .init(field: "file", message: "the header has no column \($0.rawValue)") })
        }
        let validator = self.service.validator
        let parsed = await table.rows.concurrentMap { [columns] row -> Result<LedgerRow, ValidationFailure> in
            var values: [LedgerColumn: String] = [:]
            for (index, value) in row.fields.enumerated() {
                if let column = columns[index] { values[column] = value }
            }
            return LedgerRow.parse(line: row.line, values: values, today: validator.today)
        }
        var report = ImportReport(
            dryRun: dryRun,
            encoding: encoding,
            rows: parsed.count,
            created: 0,
            updated: 0,
            unchanged: 0,
            failed: 0,
            ignoredColumns: ignored,
            results: []
        )
        let finished: ImportReport
        do {
            finished = try await database.transaction(for: caller, kind: .bulk) { transaction in
                var resolver = LedgerResolver(caller: caller, transaction: transaction)
                var prepared: [(LedgerRow, UnitBrief)?] = []
                var seen: [String: Int] = [:]
                // Units are resolved row by row (once per distinct name, through the cache), then the files are
                // validated on every core.
                var resolved: [(row: LedgerRow, unit: UnitBrief?, errors: [Problem.FieldError])?] = []
                for (index, result) in parsed.enumerated() {
                    let fileLine = table.fileLines[index]
                    let nextFileLine = index + 1 < table.rows.count ? table.fileLines[index + 1] : Int.max
                    guard case .success(var row) = result, !unreadable.contains(where: { $0.line >= fileLine && $0.line < nextFileLine }) else {
                        resolved.append(nil)
                        continue
                    }
                    var errors: [Problem.FieldError] = []
                    let unit = try await resolver.resolve(&row, errors: &errors)
                    resolved.append((row, unit, errors))
                }
                let validated = await resolved.concurrentMap { entry in entry.map { validator.validate($0.row.file) } }
                for (index, result) in parsed.enumerated() {
                    let line = table.rows[index].line
                    let fileLine = table.fileLines[index]
                    let nextFileLine = index + 1 < table.rows.count ? table.fileLines[index + 1] : Int.max
                    // Bytes that could not be read fail the row they fall in, with where they are; other rows are still checked.
                    let unreadableHere = unreadable.filter { $0.line >= fileLine && $0.line < nextFileLine }
                    if !unreadableHere.isEmpty {
                        let errors = unreadableHere.map { Problem.FieldError(field: "text", message: Self.unreadableMessage($0, row: line)) }
                        report.results.append(.init(line: line, outcome: nil, personId: nil, errors: errors))
                        prepared.append(nil)
                        continue
                    }
                    switch result {
                    case .failure(let failure):
                        report.results.append(.init(line: line, outcome: nil, personId: nil, errors: failure.errors))
                        prepared.append(nil)
                    case .success:
                        guard let (resolvedRow, unit, resolveErrors) = resolved[index], let validation = validated[index] else {
                            preconditionFailure("every readable row was resolved and validated")
                        }
                        var row = resolvedRow
                        var errors = resolveErrors
                        switch validation {
                        case .success(let normalised):
                            row.file = normalised
                        case .failure(let failure):
                            errors += failure.errors.map { .init(field: LedgerColumn.forField($0.field), message: $0.message) }
                        }
                        if let id = row.file.idNumber?.uppercased() {
                            if let first = seen[id] {
                                errors.append(.init(field: LedgerColumn.idNumber.rawValue, message: "repeats line \(first)"))
                            } else {
                                seen[id] = line
                            }
                        }
                        report.results.append(.init(line: line, outcome: nil, personId: nil, errors: errors))
                        prepared.append(errors.isEmpty ? unit.map { (row, $0) } : nil)
                    }
                }
                report.failed = report.results.filter { !$0.errors.isEmpty }.count
                guard report.failed == 0 else {
                    if dryRun { return report }
                    throw Self.refusal(report)
                }
                // Checked a chunk at a time: the chunk's ID numbers are looked up at once (visible files and
                // numbers taken outside the caller's scope), and rows matching a visible file are merged into it.
                let writable = prepared.enumerated().compactMap { index, entry in entry.map { (index: index, row: $0.0, unit: $0.1) } }
                // The numbers' lookup digests (a keyed hash per data key) are worked out on every core first.
                let vault = self.service.vault
                let numberDigests = await writable.concurrentMap { entry in
                    entry.row.file.idNumber.map { vault.lookupDigests($0.uppercased()) }
                }
                // Every chunk is checked before any new file is written: once a row failed nothing will be kept,
                // and the other rows are still checked, not written, and reported with what they would have done.
                var newFiles: [[NewFile]] = []
                var answered = 0
                for start in stride(from: 0, to: writable.count, by: Self.chunkSize) {
                    let range = start..<min(start + Self.chunkSize, writable.count)
                    let creates = try await self.check(
                        writable[range],
                        numberDigests: numberDigests[range],
                        resolver: &resolver,
                        report: &report,
                        caller: caller,
                        origin: origin,
                        in: transaction
                    )
                    answered += range.count - creates.count
                    progress?(answered, writable.count)
                    if !creates.isEmpty { newFiles.append(creates) }
                }
                if report.failed > 0 {
                    for entry in newFiles.joined() { report.record(.created, person: entry.id, at: entry.index) }
                } else {
                    // New files are written a chunk at a time while the next chunk is encoded on another core.
                    let service = self.service
                    let prepare = { @Sendable (batch: [NewFile]) in
                        Task { try service.prepareMany(batch.map { (id: $0.id, file: $0.file, unit: $0.unit) }, caller: caller) }
                    }
                    var next = newFiles.first.map(prepare)
                    for (number, batch) in newFiles.enumerated() {
                        guard let encoding = next else { break }
                        let files = try await encoding.value
                        next = number + 1 < newFiles.count ? prepare(newFiles[number + 1]) : nil
                        let records = try await self.service.createMany(files, in: transaction)
                        for (entry, record) in zip(batch, records) { report.record(.created, person: record.id, at: entry.index) }
                        answered += batch.count
                        progress?(answered, writable.count)
                    }
                }
                if dryRun { throw DryRunFinished(report: report) }
                // The transaction may hold writes of earlier rows: throwing rolls them back.
                if report.failed > 0 { throw Self.refusal(report) }
                try await AuditEntry(
                    caller: caller,
                    origin: origin,
                    action: "person.import",
                    resource: "person",
                    unitID: caller.grants.first?.unitID,
                    unitPath: caller.grants.first?.unitPath,
                    detail: [
                        "rows": String(report.rows), "created": String(report.created), "updated": String(report.updated),
                        "unchanged": String(report.unchanged), "encoding": encoding.rawValue,
                    ]
                ).append(in: transaction)
                return report
            }
        } catch let dry as DryRunFinished {
            finished = dry.report
        }
        if dryRun {
            // Audited as imports are, in a transaction of its own (the checked one was rolled back): a dry
            // run tells whether ID numbers are filed anywhere in the deployment.
            try await database.transaction(for: caller) { transaction in
                try await AuditEntry(
                    caller: caller,
                    origin: origin,
                    action: "person.import_check",
                    resource: "person",
                    unitID: caller.grants.first?.unitID,
                    unitPath: caller.grants.first?.unitPath,
                    detail: ["rows": String(finished.rows), "failed": String(finished.failed), "encoding": encoding.rawValue]
                ).append(in: transaction)
            }
        }
        return finished
    }

    typealias Writable = (index: Int, row: LedgerRow, unit: UnitBrief)
    typealias NewFile = (index: Int, id: UUID, file: PersonFile, unit: UnitBrief)

    /// Checks one chunk of rows that passed on their own: looks up their ID numbers (visible files and
    /// numbers taken outside the caller's scope) and households at once, answers the rows whose files
    /// the ledger leaves as they are, merges those that change a visible file, fails those whose number
    /// is filed where the caller cannot see, and returns the new files for the caller to write.
    private func check(
        _ chunk: ArraySlice<Writable>,
        numberDigests: ArraySlice<[Data]?>,
        resolver: inout LedgerResolver,
        report: inout ImportReport,
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> [NewFile] {
        var digests: [Int: [Data]] = [:]
        for (entry, numbers) in zip(chunk, numberDigests) {
            if let numbers { digests[entry.index] = numbers }
        }
        let lookedUp = Array(Set(digests.values.joined()))
        let taken = try await self.repository.takenDigests(lookedUp, in: transaction)
        // The caller's files are read only for the numbers taken (none for a ledger of new people). A file
        // committed by someone else between the two reads is met by the insert's unique index (409).
        let visible = try await self.repository.activeFiles(digests: lookedUp.filter(taken.contains), in: transaction)
        var ledgers: [Int: PersonFile] = [:]
        var matched: [Int: UUID] = [:]
        let households = try await resolver.households(for: chunk.map { (row: $0.row, unit: $0.unit) })
        for (entry, household) in zip(chunk, households) {
            var file = entry.row.file
            file.householdId = household
            ledgers[entry.index] = file
            matched[entry.index] = (digests[entry.index] ?? []).lazy.compactMap({ visible[$0] }).first
        }
        // A re-imported ledger mostly changes nothing: those files are read together and answered
        // without a lock or a write; the others are merged together (`updateMany`), each file decoded once.
        let read = try await self.service.unchangedByMerge(
            chunk.compactMap { entry in
                guard let id = matched[entry.index], let ledger = ledgers[entry.index] else { return nil }
                return (id: id, merge: { $0.merging(ledger: ledger) })
            },
            caller: caller,
            in: transaction
        )
        var creates: [NewFile] = []
        var merges: [(index: Int, merge: PersonService.LedgerMerge)] = []
        for entry in chunk {
            guard let ledger = ledgers[entry.index] else { continue }
            let numbers = digests[entry.index] ?? []
            if let existing = matched[entry.index], let record = read.unchanged[existing] {
                report.record(.unchanged, person: record.id, at: entry.index)
            } else if let existing = matched[entry.index] {
                merges.append((entry.index, .init(id: existing, ledger: ledger, unit: entry.unit, exportedVersion: entry.row.fileVersion)))
            } else if numbers.contains(where: taken.contains) {
                // A number filed outside the caller's scope: the other file is not named.
                report.results[entry.index].errors = Self.rowErrors(PersonService.duplicate(nil).problem)
                report.failed += 1
            } else {
                creates.append((index: entry.index, id: UUID.timeOrdered(), file: ledger, unit: entry.unit))
            }
        }
        let outcomes = try await self.merge(merges.map(\.merge), readBefore: read.files, caller: caller, origin: origin, in: transaction)
        for ((index, merge), outcome) in zip(merges, outcomes) {
            switch outcome {
            case .success(let outcome):
                report.record(outcome, person: merge.id, at: index)
            case .failure(let refusal as any ProblemConvertible):
                // A rule that needs the stored file (a merged file that no longer validates, a
                // duplicate number): the row fails and, at the end, so does the file.
                report.results[index].errors = Self.rowErrors(refusal.problem)
                report.failed += 1
            case .failure(let error):
                throw error
            }
        }
        return creates
    }

    /// When set, matched rows are merged one at a time through `PersonService.update`, as the import
    /// did before `updateMany`: the reference its tests compare the set-based path with.
    @TaskLocal static var mergesRowByRow = false

    /// The ledger's matched rows merged into their files: together, or one by one as the reference.
    private func merge(
        _ merges: [PersonService.LedgerMerge],
        readBefore: [UUID: PersonRecord],
        caller: Caller,
        origin: AuditOrigin,
        in transaction: PostgresTransaction
    ) async throws -> [Result<PersonService.Outcome, any Error>] {
        guard Self.mergesRowByRow else {
            return try await self.service.updateMany(merges, readBefore: readBefore, caller: caller, origin: origin, in: transaction)
        }
        var outcomes: [Result<PersonService.Outcome, any Error>] = []
        for merge in merges {
            do {
                let (_, outcome) = try await self.service.update(
                    id: merge.id,
                    file: merge.ledger,
                    expectedVersion: nil,
                    caller: caller,
                    origin: origin,
                    audit: false,
                    checkedUnit: merge.unit,
                    merge: { [ledger = merge.ledger] in $0.merging(ledger: ledger) },
                    in: transaction
                )
                outcomes.append(.success(outcome))
            } catch let refusal as any ProblemConvertible {
                outcomes.append(.failure(refusal))
            }
        }
        return outcomes
    }

    /// Rows written (looked up, inserted) together.
    static let chunkSize = 1000

    /// A row's errors from a refused write, in the ledger's column names.
    private static func rowErrors(_ problem: Problem) -> [Problem.FieldError] {
        problem.errors.isEmpty
            ? [Problem.FieldError(field: LedgerColumn.idNumber.rawValue, message: problem.title)]
            : problem.errors.map { Problem.FieldError(field: LedgerColumn.forField($0.field), message: $0.message) }
    }

    /// Where the bytes are: the file's line and character, and the sheet's row when it differs (a cell
    /// with line breaks before it).
    private static func unreadableMessage(_ place: TextDecoding.UnreadableBytes, row: Int? = nil) -> String {
        let whereText =
            row.map { $0 == place.line ? "第 \($0) 行第 \(place.column) 个字符" : "第 \($0) 行（文件第 \(place.line) 行第 \(place.column) 个字符）" }
            ?? "第 \(place.line) 行第 \(place.column) 个字符"
        return "\(whereText)处有无法识别的字节（文件既不是 UTF-8 也不是 GBK 编码）：请在 Excel 中另存为“CSV UTF-8”后重新导入"
    }

    /// 422 listing every failing row's errors as `rows[<line>].<column>`.
    static func refusal(_ report: ImportReport) -> ServiceError {
        let errors = report.results.flatMap { row in
            row.errors.map { Problem.FieldError(field: "rows[\(row.line)].\($0.field)", message: $0.message) }
        }
        let listed = Problem.validation(errors)
        return .unprocessable(
            code: listed.code,
            title: listed.title,
            detail: "\(report.failed) of \(report.rows) rows have errors; nothing was imported. " + (listed.detail ?? ""),
            errors: errors
        )
    }
}
