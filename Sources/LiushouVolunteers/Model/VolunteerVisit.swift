import Foundation
import LiushouGrid
import LiushouPostgres

/// What a volunteer did at a visit.
public enum VisitActivity: String, Sendable, Codable, CaseIterable {
    /// 辅导功课.
    case tutoring
    /// 谈心.
    case heartToHeart = "heart_to_heart"
    /// 生活照料.
    case dailyCare = "daily_care"
    /// 代购.
    case shopping
    /// 读书聊天.
    case readingAndChatting = "reading_and_chatting"
    /// 与父母视频.
    case familyVideoCall = "family_video_call"
}

/// A volunteer's visit as a client sends it: a door check of kind `volunteer_visit` plus what was
/// done and for how long (its client id makes retries safe).
public struct VolunteerVisitInput: Sendable, Codable, Equatable {
    public var id: UUID
    public var pairingId: UUID
    public var personId: UUID
    public var occurredAt: Date
    public var channel: CheckChannel
    public var outcome: CheckOutcome
    public var needs: [Need]?
    public var notes: String?
    public var latitude: Double?
    public var longitude: Double?
    public var activities: [VisitActivity]
    public var durationMinutes: Int

    private enum CodingKeys: String, CodingKey {
        case id, pairingId, personId, occurredAt, channel, outcome, needs, notes, latitude, longitude, activities, durationMinutes
    }

    /// The synthesized decoding, field by field in the same order, except that ids are read with
    /// `UUID(canonical:)`, as a door check's are: its id becomes the door check's.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.id = try container.decodeUUID(forKey: .id)
        self.pairingId = try container.decodeUUID(forKey: .pairingId)
        self.personId = try container.decodeUUID(forKey: .personId)
        self.occurredAt = try container.decode(Date.self, forKey: .occurredAt)
        self.channel = try container.decode(CheckChannel.self, forKey: .channel)
        self.outcome = try container.decode(CheckOutcome.self, forKey: .outcome)
        self.needs = try container.decodeIfPresent([Need].self, forKey: .needs)
        self.notes = try container.decodeIfPresent(String.self, forKey: .notes)
        self.latitude = try container.decodeIfPresent(Double.self, forKey: .latitude)
        self.longitude = try container.decodeIfPresent(Double.self, forKey: .longitude)
        self.activities = try container.decode([VisitActivity].self, forKey: .activities)
        self.durationMinutes = try container.decode(Int.self, forKey: .durationMinutes)
    }

    /// The door check this visit records.
    var doorCheck: DoorCheckInput {
        DoorCheckInput(
            id: self.id,
            personId: self.personId,
            occurredAt: self.occurredAt,
            channel: self.channel,
            kind: .volunteerVisit,
            outcome: self.outcome,
            needs: self.needs,
            notes: self.notes,
            latitude: self.latitude,
            longitude: self.longitude
        )
    }
}
