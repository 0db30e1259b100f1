import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// Content and plausibility rules for an uploaded checkup (field paths as in the JSON, under `prefix`).
enum CheckupRules {
    static func problems(_ input: CheckupInput, today: LocalDate, prefix: String = "") -> [Problem.FieldError] {
        var errors: [Problem.FieldError] = []
        func add(_ field: String, _ message: String) { errors.append(.init(field: prefix + field, message: message)) }
        let recordId = input.recordId.trimmingWhitespace()
        if !(1...64).contains(recordId.unicodeScalars.count) || recordId != input.recordId {
            add("recordId", "must be 1 to 64 characters without surrounding spaces")
        }
        if (input.personId == nil) == (input.idNumber == nil) { add("personId", "name the person by exactly one of personId and idNumber") }
        if let idNumber = input.idNumber {
            do {
                _ = try ResidentIDNumber(idNumber)
            } catch let problem as ResidentIDNumber.Problem {
                add("idNumber", problem.description)
            } catch {
                add("idNumber", "is not a valid ID number")
            }
        }
        if input.checkedOn > today { add("checkedOn", "is in the future") }
        if input.checkedOn.daysSince1970 < today.daysSince1970 - 3653 { add("checkedOn", "is more than 10 years ago") }
        if !(1...50).contains(input.clinician.trimmingWhitespace().unicodeScalars.count) {
            add("clinician", "must have 1 to 50 characters")
        }
        if (input.findings?.unicodeScalars.count ?? 0) > 4000 { add("findings", "must have at most 4000 characters") }
        let diagnoses = input.diagnoses ?? []
        if diagnoses.count > 20 || diagnoses.contains(where: { $0.trimmingSpaces().isEmpty || $0.unicodeScalars.count > 100 }) {
            add("diagnoses", "at most 20 diagnoses of 1 to 100 characters each")
        }
        var seen: [String: Double] = [:]
        for (index, measurement) in (input.measurements ?? []).enumerated() {
            let path = "measurements[\(index)]"
            guard let rule = MeasurementRule.all[measurement.name] else {
                add("\(path).name", "is not a known measurement (\(MeasurementRule.all.keys.sorted().joined(separator: ", ")))")
                continue
            }
            if seen[measurement.name] != nil { add("\(path).name", "is measured twice") }
            if measurement.unit != rule.unit { add("\(path).unit", "must be \(rule.unit)") }
            if !measurement.value.isFinite || !rule.range.contains(measurement.value) {
                add("\(path).value", "must be within \(rule.rangeText)")
            }
            seen[measurement.name] = measurement.value
        }
        // In any order (CSV rows list measurements by name).
        if let systolic = seen["systolic"], let diastolic = seen["diastolic"], diastolic >= systolic,
            let index = (input.measurements ?? []).firstIndex(where: { $0.name == "diastolic" })
        {
            add("measurements[\(index)].value", "diastolic pressure must be below the systolic")
        }
        return errors
    }

    /// The content that identifies a record for retries: everything but how the person was named.
    struct Content: Encodable {
        var personId: UUID
        var clinicId: UUID
        var recordId: String
        var checkedOn: LocalDate
        var kind: CheckupKind
        var measurements: [Measurement]
        var diagnoses: [String]
        var findings: String?
        var followUpNeeded: Bool
        var clinician: String
    }
}
