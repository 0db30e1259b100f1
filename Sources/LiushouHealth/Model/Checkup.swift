import Foundation
import LiushouPostgres

/// The kinds of checkup a clinic uploads; visit rules say which are due for whom, how often.
public enum CheckupKind: String, Sendable, Codable, CaseIterable {
    /// 老年人年度健康体检.
    case elderAnnual = "elder_annual"
    /// 儿童健康检查.
    case childHealth = "child_health"
    /// 妇女“两癌”筛查.
    case womenScreening = "women_screening"
    /// 义诊.
    case freeClinic = "free_clinic"
    /// 随访.
    case followUp = "follow_up"

    /// Chinese name for timelines.
    public var chineseName: String {
        switch self {
        case .elderAnnual: return "老年人健康体检"
        case .childHealth: return "儿童健康检查"
        case .womenScreening: return "妇女两癌筛查"
        case .freeClinic: return "义诊"
        case .followUp: return "随访"
        }
    }
}

/// One measured value with its unit.
public struct Measurement: Sendable, Codable, Equatable {
    public var name: String
    public var value: Double
    public var unit: String

    public init(name: String, value: Double, unit: String) {
        self.name = name
        self.value = value
        self.unit = unit
    }
}

/// A checkup as a clinic uploads it: the person by id or by ID number, the clinic's own record id.
public struct CheckupInput: Sendable, Codable, Equatable {
    /// The clinic's own record id (re-uploads of it are recognised).
    public var recordId: String
    public var personId: UUID?
    /// Matched against the registry (never stored with the checkup).
    public var idNumber: String?
    /// The uploading clinic; may be left out by staff of exactly one clinic.
    public var clinicId: UUID?
    public var checkedOn: LocalDate
    public var kind: CheckupKind
    public var measurements: [Measurement]?
    public var diagnoses: [String]?
    public var findings: String?
    public var followUpNeeded: Bool
    public var clinician: String
}

/// A stored checkup with its clinical details (clinic staff only).
public struct Checkup: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID
    public var clinicId: UUID
    public var recordId: String
    public var checkedOn: LocalDate
    public var kind: CheckupKind
    public var measurements: [Measurement]
    public var diagnoses: [String]
    public var findings: String?
    public var followUpNeeded: Bool
    public var clinician: String
    public var receivedAt: Date
}
