import Foundation
import LiushouPostgres

/// The kind of pairing in the work plans' terms.
public enum PairingKind: String, Sendable, Codable, CaseIterable {
    /// 代理家长.
    case proxyParent = "proxy_parent"
    /// 爱心妈妈.
    case caringMother = "caring_mother"
    /// 临时爸爸.
    case temporaryFather = "temporary_father"
    /// 学习帮手.
    case learningBuddy = "learning_buddy"
    /// 留守老人陪伴.
    case elderCompanion = "elder_companion"
    case other

    /// Chinese name for timelines.
    public var chineseName: String {
        switch self {
        case .proxyParent: return "代理家长"
        case .caringMother: return "爱心妈妈"
        case .temporaryFather: return "临时爸爸"
        case .learningBuddy: return "学习帮手"
        case .elderCompanion: return "老人陪伴"
        case .other: return "结对帮扶"
        }
    }
}

/// A pairing as a client creates it: helpers (volunteers) with people, the guardian's consent per child.
public struct PairingInput: Sendable, Codable, Equatable {
    /// One paired person, with the guardian's consent when the person is a child.
    public struct Person: Sendable, Codable, Equatable {
        public var personId: UUID
        /// Who consented (the child's guardian).
        public var consentBy: String?
        public var consentOn: LocalDate?
    }

    public var id: UUID
    public var kind: PairingKind
    /// Volunteer ids (one or several helpers).
    public var helpers: [UUID]
    /// One or several people.
    public var people: [Person]
    public var goals: String
    public var startOn: LocalDate
    /// Planned end; the pairing gives access until the end of that day.
    public var endOn: LocalDate?
}

/// A pairing as answered.
public struct Pairing: Sendable, Codable, Equatable {
    /// A helper: the volunteer, and its name and organisation while the register shows them.
    public struct Helper: Sendable, Codable, Equatable {
        public var volunteerId: UUID
        public var name: String?
        public var organisation: String?
    }

    /// A paired person (the name only while the caller may see the person).
    public struct Person: Sendable, Codable, Equatable {
        public var personId: UUID
        public var name: String?
        public var consentBy: String?
        public var consentOn: LocalDate?
    }

    public var id: UUID
    public var unitId: UUID
    public var kind: PairingKind
    public var goals: String
    public var startOn: LocalDate
    public var endOn: LocalDate?
    public var status: String
    /// Running today: status active and today inside its dates.
    public var running: Bool
    public var endedOn: LocalDate?
    public var endReason: String?
    public var helpers: [Helper]
    public var people: [Person]
    public var version: Int
}
