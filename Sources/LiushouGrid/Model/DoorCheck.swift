import Foundation
import LiushouPostgres

/// How a check was made.
public enum CheckChannel: String, Sendable, Codable, CaseIterable {
    case inPerson = "in_person"
    case phone
    case video
}

/// Who made the check, in the work plans' terms.
public enum CheckKind: String, Sendable, Codable, CaseIterable {
    /// 村干部每周一登门.
    case cadreVisit = "cadre_visit"
    /// 网格员每天一敲门.
    case gridKnock = "grid_knock"
    /// A paired volunteer's visit.
    case volunteerVisit = "volunteer_visit"
    /// 班主任家访.
    case teacherHomeVisit = "teacher_home_visit"

    /// Chinese name for timelines.
    public var chineseName: String {
        switch self {
        case .cadreVisit: return "村干部登门"
        case .gridKnock: return "网格员敲门"
        case .volunteerVisit: return "志愿者走访"
        case .teacherHomeVisit: return "教师家访"
        }
    }
}

/// What the visitor found.
public enum CheckOutcome: String, Sendable, Codable, CaseIterable {
    case allWell = "all_well"
    case needsFollowUp = "needs_follow_up"
    case urgent
    /// 无人在家: nobody answered. Recorded, but it does not satisfy an obligation.
    case notHome = "not_home"
    /// 人员外出: the person is away (told by a neighbour or relative). Recorded, but does not satisfy an obligation.
    case away

    /// Whether the visitor saw the person (only then is a visit obligation satisfied).
    public var seesPerson: Bool {
        self != .notHome && self != .away
    }
}

/// A kind of need found at a visit; each is routed to the role that handles it.
public enum Need: String, Sendable, Codable, CaseIterable {
    case dailyLife = "daily_life"
    case health
    case study
    case legal
    case psychological
    case safety

    /// As alerts and the timeline name it.
    public var chineseName: String {
        switch self {
        case .dailyLife: "生活困难"
        case .health: "健康"
        case .study: "学业"
        case .legal: "法律"
        case .psychological: "心理"
        case .safety: "安全"
        }
    }
}

/// A door check as a client sends it (with its own id, so retries never duplicate).
public struct DoorCheckInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID?
    public var householdId: UUID?
    /// When it happened, by the client's clock.
    public var occurredAt: Date
    public var channel: CheckChannel
    public var kind: CheckKind
    public var outcome: CheckOutcome
    public var needs: [Need]?
    public var notes: String?
    public var latitude: Double?
    public var longitude: Double?

    /// A check as a client would send it.
    public init(
        id: UUID,
        personId: UUID?,
        householdId: UUID? = nil,
        occurredAt: Date,
        channel: CheckChannel,
        kind: CheckKind,
        outcome: CheckOutcome,
        needs: [Need]? = nil,
        notes: String? = nil,
        latitude: Double? = nil,
        longitude: Double? = nil
    ) {
        self.id = id
        self.personId = personId
        self.householdId = householdId
        self.occurredAt = occurredAt
        self.channel = channel
        self.kind = kind
        self.outcome = outcome
        self.needs = needs
        self.notes = notes
        self.latitude = latitude
        self.longitude = longitude
    }

    private enum CodingKeys: String, CodingKey {
        case id, personId, householdId, occurredAt, channel, kind, outcome, needs, notes, latitude, longitude
    }

    /// The synthesized decoding, field by field in the same order, except that ids are read with
    /// `UUID(canonical:)`: an offline batch reads thousands, and Foundation's reader takes a space or a
    /// sign inside a group for a digit.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeUUID(forKey: .id)
        self.personId = try container.decodeUUIDIfPresent(forKey: .personId)
        self.householdId = try container.decodeUUIDIfPresent(forKey: .householdId)
        self.occurredAt = try container.decode(Date.self, forKey: .occurredAt)
        self.channel = try container.decode(CheckChannel.self, forKey: .channel)
        self.kind = try container.decode(CheckKind.self, forKey: .kind)
        self.outcome = try container.decode(CheckOutcome.self, forKey: .outcome)
        self.needs = try container.decodeIfPresent([Need].self, forKey: .needs)
        self.notes = try container.decodeIfPresent(String.self, forKey: .notes)
        self.latitude = try container.decodeIfPresent(Double.self, forKey: .latitude)
        self.longitude = try container.decodeIfPresent(Double.self, forKey: .longitude)
    }
}

/// A stored door check.
public struct DoorCheck: Sendable, Codable, Equatable {
    public var id: UUID
    public var personId: UUID?
    public var householdId: UUID?
    public var visitorName: String
    public var visitorRole: String
    public var occurredAt: Date
    public var receivedAt: Date
    public var channel: String
    public var kind: String
    public var outcome: String
    public var needs: [String]
    public var notes: String?
}
