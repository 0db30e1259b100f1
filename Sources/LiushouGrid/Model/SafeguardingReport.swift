import Foundation

/// What a mandatory report (强制报告) is about.
enum SafeguardingKind: String, Codable, CaseIterable {
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

/// A stored mandatory report.
struct SafeguardingReport: Encodable, Equatable {
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
