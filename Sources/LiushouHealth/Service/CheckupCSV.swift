import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Reads checkup rows from a clinic system's CSV export: one row per checkup, measurement values in
/// columns named by measurement (units implied), diagnoses separated by `;` or `；`.
enum CheckupCSV {
    static let fixedColumns = [
        "recordId", "idNumber", "personId", "clinicId", "checkedOn", "kind", "clinician", "followUpNeeded", "diagnoses", "findings",
    ]

    /// The rows, or a problem naming the unknown or missing column.
    static func rows(from data: Data) throws -> [CheckupRecorder.Row] {
        let table: CSVTable
        do {
            table = try CSVTable(parsing: try TextDecoding.decode(data).text)
        } catch {
            throw Problem.badRequest("The body is not readable CSV: \(error).")
        }
        let known = Set(Self.fixedColumns).union(MeasurementRule.all.keys)
        // A header cell left empty (Excel's trailing comma) names no column: ignored, as the ledger does.
        if let unknown = table.header.first(where: { !$0.isEmpty && !known.contains($0) }) {
            throw Problem.badRequest("Unknown column \(unknown).", errors: [.init(field: unknown, message: "is not a checkup column")])
        }
        for required in ["recordId", "checkedOn", "kind", "clinician", "followUpNeeded"] where !table.header.contains(required) {
            throw Problem.badRequest("Column \(required) is missing.", errors: [.init(field: required, message: "is a required column")])
        }
        return table.rows.enumerated().map { index, row in
            var cells: [String: String] = [:]
            for (column, value) in zip(table.header, row.fields) where !column.isEmpty {
                let trimmed = value.trimmingSpaces()
                if !trimmed.isEmpty { cells[column] = trimmed }
            }
            return Self.row(index: index, line: row.line, cells: cells)
        }
    }

    private static func row(index: Int, line: Int, cells: [String: String]) -> CheckupRecorder.Row {
        var errors: [Problem.FieldError] = []
        func field(_ name: String, _ message: String) { errors.append(.init(field: "line \(line): \(name)", message: message)) }
        // PostgreSQL cannot store NUL in text: the row is refused, not the batch.
        for (column, value) in cells.sorted(by: { $0.key < $1.key }) where value.utf8.contains(0) {
            field(column, "must not contain the NUL character")
        }
        let checkedOn = cells["checkedOn"].flatMap { LocalDate(input: $0) }
        if checkedOn == nil { field("checkedOn", "must be a date like 2026-03-01, years 1900 to 2100") }
        let kind = cells["kind"].flatMap(CheckupKind.init(rawValue:))
        if kind == nil { field("kind", "must be one of \(CheckupKind.allCases.map(\.rawValue).joined(separator: ", "))") }
        let followUp: Bool?
        switch cells["followUpNeeded"]?.lowercased() {
        case "true", "1", "是", "yes": followUp = true
        case "false", "0", "否", "no": followUp = false
        default:
            followUp = nil
            field("followUpNeeded", "must be true or false (是/否)")
        }
        let personId = cells["personId"].flatMap(UUID.init(canonical:))
        if cells["personId"] != nil, personId == nil { field("personId", "must be a UUID") }
        let clinicId = cells["clinicId"].flatMap(UUID.init(canonical:))
        if cells["clinicId"] != nil, clinicId == nil { field("clinicId", "must be a UUID") }
        var measurements: [Measurement] = []
        for (name, rule) in MeasurementRule.all.sorted(by: { $0.key < $1.key }) {
            guard let text = cells[name] else { continue }
            guard let value = Double(text) else {
                field(name, "must be a number in \(rule.unit)")
                continue
            }
            measurements.append(Measurement(name: name, value: value, unit: rule.unit))
        }
        let diagnoses = cells["diagnoses"].map {
            $0.split(whereSeparator: { $0 == ";" || $0 == "；" }).map { $0.trimmingSpaces() }
        }
        guard errors.isEmpty, let checkedOn, let kind, let followUp else {
            return CheckupRecorder.Row(index: index, input: nil, recordId: cells["recordId"], errors: errors)
        }
        let input = CheckupInput(
            recordId: cells["recordId"] ?? "",
            personId: personId,
            idNumber: cells["idNumber"],
            clinicId: clinicId,
            checkedOn: checkedOn,
            kind: kind,
            measurements: measurements,
            diagnoses: diagnoses,
            findings: cells["findings"],
            followUpNeeded: followUp,
            clinician: cells["clinician"] ?? ""
        )
        return CheckupRecorder.Row(index: index, input: input, recordId: input.recordId, errors: [])
    }
}
