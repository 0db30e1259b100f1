import Foundation
import LiushouPlatform

/// Closed vocabularies of the person file (national register form, 2016 and successors).
public enum Sex: String, Sendable, Codable, CaseIterable {
    case male
    case female

    /// 男 / 女.
    public var chineseName: String { self == .male ? "男" : "女" }
}

/// 就学阶段.
public enum SchoolStage: String, Sendable, Codable, CaseIterable {
    case notInKindergarten = "not_in_kindergarten"
    case kindergarten
    case primary
    case juniorSecondary = "junior_secondary"
    case seniorSecondary = "senior_secondary"
    case vocational
    case droppedOut = "dropped_out"
    case notInSchool = "not_in_school"

    /// 未入园, 幼儿园, 小学, 初中, 高中, 中职, 辍学, 不在学.
    public var chineseName: String {
        switch self {
        case .notInKindergarten: return "未入园"
        case .kindergarten: return "幼儿园"
        case .primary: return "小学"
        case .juniorSecondary: return "初中"
        case .seniorSecondary: return "高中"
        case .vocational: return "中职"
        case .droppedOut: return "辍学"
        case .notInSchool: return "不在学"
        }
    }

    /// Whether a child at this stage attends a school (which the file must then name).
    public var attendsSchool: Bool {
        [.kindergarten, .primary, .juniorSecondary, .seniorSecondary, .vocational].contains(self)
    }
}

/// 监护类型.
public enum GuardianshipType: String, Sendable, Codable, CaseIterable {
    case unattended
    case parentIncapable = "parent_incapable"
    case delegateInsufficient = "delegate_insufficient"
    case ordinary
    case good

    /// 无人监护, 父或母无监护能力, 受委托监护人监护能力不足, 一般, 较好.
    public var chineseName: String {
        switch self {
        case .unattended: return "无人监护"
        case .parentIncapable: return "父或母无监护能力"
        case .delegateInsufficient: return "受委托监护人监护能力不足"
        case .ordinary: return "一般"
        case .good: return "较好"
        }
    }
}

/// 监护评估: 较好 / 一般 / 差 ("差" covers no guardian, an incapable one, risk of dropping out, running away or begging).
public enum GuardianshipAssessment: String, Sendable, Codable, CaseIterable {
    case good
    case fair
    case poor

    /// 较好 / 一般 / 差.
    public var chineseName: String {
        switch self {
        case .good: return "较好"
        case .fair: return "一般"
        case .poor: return "差"
        }
    }
}

/// Why a file was closed.
public enum ExitReason: String, Sendable, Codable, CaseIterable {
    case parentsReturned = "parents_returned"
    case agedOut = "aged_out"
    case movedAway = "moved_away"
    case deceased
    case other

    /// 父母返乡, 年龄超出, 迁出, 死亡, 其他.
    public var chineseName: String {
        switch self {
        case .parentsReturned: return "父母返乡"
        case .agedOut: return "年龄超出"
        case .movedAway: return "迁出"
        case .deceased: return "死亡"
        case .other: return "其他"
        }
    }
}

/// How closely a person must be followed.
public enum RiskLevel: String, Sendable, Codable, CaseIterable {
    case normal
    case attention
    case high

    /// 一般, 关注, 高风险.
    public var chineseName: String {
        switch self {
        case .normal: return "一般"
        case .attention: return "关注"
        case .high: return "高风险"
        }
    }
}

/// 健康状况.
public enum HealthStatus: String, Sendable, Codable, CaseIterable {
    case healthy
    case disabled
    case majorIllness = "major_illness"

    /// 健康, 残疾, 患重病.
    public var chineseName: String {
        switch self {
        case .healthy: return "健康"
        case .disabled: return "残疾"
        case .majorIllness: return "患重病"
        }
    }
}

/// Assistance received.
public enum AssistanceKind: String, Sendable, Codable, CaseIterable {
    case minimumLiving = "minimum_living"
    case extremePoverty = "extreme_poverty"
    case temporary
    case medical
    case housing

    /// 低保, 特困, 临时救助, 医疗救助, 住房救助.
    public var chineseName: String {
        switch self {
        case .minimumLiving: return "低保"
        case .extremePoverty: return "特困"
        case .temporary: return "临时救助"
        case .medical: return "医疗救助"
        case .housing: return "住房救助"
        }
    }
}

/// An elder's living arrangement.
public enum LivingArrangement: String, Sendable, Codable, CaseIterable {
    case alone
    case withSpouse = "with_spouse"
    case withGrandchildren = "with_grandchildren"
    case withOthers = "with_others"
    case institution

    /// 独居, 与配偶同住, 与孙辈同住, 与其他人同住, 机构养老.
    public var chineseName: String {
        switch self {
        case .alone: return "独居"
        case .withSpouse: return "与配偶同住"
        case .withGrandchildren: return "与孙辈同住"
        case .withOthers: return "与其他人同住"
        case .institution: return "机构养老"
        }
    }
}

/// An elder's ability to look after themselves.
public enum SelfCareAbility: String, Sendable, Codable, CaseIterable {
    case full
    case partial
    case none

    /// 能自理, 半失能, 失能.
    public var chineseName: String {
        switch self {
        case .full: return "能自理"
        case .partial: return "半失能"
        case .none: return "失能"
        }
    }
}

/// A migrant family member's relationship to the person.
public enum FamilyRelationship: String, Sendable, Codable, CaseIterable {
    case father
    case mother
    case spouse
    case child
    case other

    /// 父亲, 母亲, 配偶, 子女, 其他.
    public var chineseName: String {
        switch self {
        case .father: return "父亲"
        case .mother: return "母亲"
        case .spouse: return "配偶"
        case .child: return "子女"
        case .other: return "其他"
        }
    }
}

/// Whether the parents of a child are away.
public enum ParentsAway: String, Sendable, Codable, CaseIterable {
    case both
    case oneAwayOtherUnable = "one_away_other_unable"
    case oneAway = "one_away"

    /// 父母均外出, 一方外出另一方无监护能力, 一方外出.
    public var chineseName: String {
        switch self {
        case .both: return "父母均外出"
        case .oneAwayOtherUnable: return "一方外出另一方无监护能力"
        case .oneAway: return "一方外出"
        }
    }
}

/// Picks a vocabulary value by its code or its Chinese name (ledgers use the Chinese).
protocol ChineseNamed: RawRepresentable<String>, CaseIterable {
    var chineseName: String { get }
}

extension ChineseNamed {
    /// The value whose code or Chinese name is `text`.
    static func parse(_ text: String) -> Self? {
        let trimmed = text.trimmingSpaces()
        // Codes and names as they are spelt first, byte for byte (a ledger reads one a cell, and
        // comparing Chinese text as Unicode costs more); then as Unicode compares text.
        let bytes = trimmed.utf8
        return Self.allCases.first { $0.rawValue.utf8.elementsEqual(bytes) } ?? Self.allCases.first { $0.chineseName.utf8.elementsEqual(bytes) }
            ?? Self(rawValue: trimmed) ?? Self.allCases.first { $0.chineseName == trimmed }
    }
}

extension Sex: ChineseNamed {}
extension SchoolStage: ChineseNamed {}
extension GuardianshipType: ChineseNamed {}
extension GuardianshipAssessment: ChineseNamed {}
extension ExitReason: ChineseNamed {}
extension RiskLevel: ChineseNamed {}
extension HealthStatus: ChineseNamed {}
extension AssistanceKind: ChineseNamed {}
extension LivingArrangement: ChineseNamed {}
extension SelfCareAbility: ChineseNamed {}
extension FamilyRelationship: ChineseNamed {}
extension ParentsAway: ChineseNamed {}
extension PersonCategory: ChineseNamed {}
