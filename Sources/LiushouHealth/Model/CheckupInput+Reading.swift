import Foundation
import LiushouHTTP
import LiushouPostgres

/// A checkup read by hand (`JSONByteReader`): what its synthesized `Decodable` reads from the same
/// bytes, or `nil` (an optional field may be absent or null; a required one must be there). Ids are
/// read in their canonical form only; Foundation's reader, which also takes other forms, reads the rest.
extension CheckupInput: JSONByteReadable {
    private static let keys: [StaticString] = [
        "recordId", "personId", "idNumber", "clinicId", "checkedOn", "kind", "measurements", "diagnoses", "findings",
        "followUpNeeded", "clinician",
    ]

    public static func read(from reader: inout JSONByteReader) -> CheckupInput? {
        var recordId: String?
        var personId: UUID?
        var idNumber: String?
        var clinicId: UUID?
        var checkedOn: LocalDate?
        var kind: CheckupKind?
        var measurements: [Measurement]?
        var diagnoses: [String]?
        var findings: String?
        var followUpNeeded: Bool?
        var clinician: String?
        let read = reader.object(keys: Self.keys) { reader, key in
            switch key {
            case 0:
                recordId = reader.string()
                return recordId != nil
            case 1:
                guard let value = reader.optional({ $0.string().flatMap(UUID.init(canonical:)) }) else { return false }
                personId = value
            case 2:
                guard let value = reader.optional({ $0.string() }) else { return false }
                idNumber = value
            case 3:
                guard let value = reader.optional({ $0.string().flatMap(UUID.init(canonical:)) }) else { return false }
                clinicId = value
            case 4:
                checkedOn = reader.string().flatMap(LocalDate.init(input:))
                return checkedOn != nil
            case 5:
                kind = reader.string().flatMap(CheckupKind.init(rawValue:))
                return kind != nil
            case 6:
                guard let value = reader.optional({ reader in Measurement.readList(from: &reader) }) else { return false }
                measurements = value
            case 7:
                guard let value = reader.optional({ $0.strings() }) else { return false }
                diagnoses = value
            case 8:
                guard let value = reader.optional({ $0.string() }) else { return false }
                findings = value
            case 9:
                followUpNeeded = reader.bool()
                return followUpNeeded != nil
            default:
                clinician = reader.string()
                return clinician != nil
            }
            return true
        }
        guard read, let recordId, let checkedOn, let kind, let followUpNeeded, let clinician else { return nil }
        return CheckupInput(
            recordId: recordId,
            personId: personId,
            idNumber: idNumber,
            clinicId: clinicId,
            checkedOn: checkedOn,
            kind: kind,
            measurements: measurements,
            diagnoses: diagnoses,
            findings: findings,
            followUpNeeded: followUpNeeded,
            clinician: clinician
        )
    }
}

extension Measurement {
    private static let keys: [StaticString] = ["name", "value", "unit"]

    fileprivate static func readList(from reader: inout JSONByteReader) -> [Measurement]? {
        var list: [Measurement] = []
        let read = reader.array { reader in
            var name: String?
            var value: Double?
            var unit: String?
            let read = reader.object(keys: Self.keys) { reader, key in
                switch key {
                case 0:
                    name = reader.string()
                    return name != nil
                case 1:
                    value = reader.number()
                    return value != nil
                default:
                    unit = reader.string()
                    return unit != nil
                }
            }
            guard read, let name, let value, let unit else { return false }
            list.append(Measurement(name: name, value: value, unit: unit))
            return true
        }
        return read ? list : nil
    }
}
