import Foundation

/// One alert in a user's inbox.
public struct InboxAlert: Codable, Sendable, Equatable {
    public var id: UUID
    public var event: String
    public var eventName: String
    public var urgency: String
    public var title: String
    public var body: String
    public var link: String?
    public var createdAt: Date
    public var readAt: Date?
}

/// A page of the inbox and the count of all unread alerts.
public struct InboxPage: Codable, Sendable {
    public var items: [InboxAlert]
    public var unread: Int
}

/// How a user is reached besides the inbox; the phone only ever leaves the server masked.
public struct ContactSettings: Codable, Sendable, Equatable {
    public var phone: String?
    public var wecomUserId: String?
    public var dingtalkUserId: String?
    public var version: Int

    /// Unset values are answered as `null`, so a form can tell "none" from "not sent".
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.phone, forKey: .phone)
        try container.encode(self.wecomUserId, forKey: .wecomUserId)
        try container.encode(self.dingtalkUserId, forKey: .dingtalkUserId)
        try container.encode(self.version, forKey: .version)
    }
}

/// Which event alerts whom, how urgently, through which channels, with which text.
public struct AlertRule: Codable, Sendable, Equatable {
    public var event: String
    public var eventName: String
    /// `default` (policy) or `county` (the county's override).
    public var source: String
    public var enabled: Bool
    public var recipientRoles: [String]
    public var urgency: String
    public var channels: [String]
    public var title: String
    public var body: String
    public var smsTemplateId: String?
    public var ackMinutes: Int?
    public var version: Int
}

/// A unit's group robot or SMS number, its secrets left out.
public struct AlertChannel: Codable, Sendable, Equatable {
    public var id: UUID
    public var unitId: UUID
    public var unitName: String
    public var kind: String
    public var name: String
    /// The webhook's host with its key masked, or the masked phone.
    public var target: String
    /// Whether DingTalk messages are signed (加签).
    public var signed: Bool
    public var events: [String]?
    public var active: Bool
    public var version: Int
    public var createdAt: Date
}

/// One outside delivery of an event (the outbox row), as administrators see it.
public struct AlertDeliveryView: Codable, Sendable, Equatable {
    public var id: UUID
    public var event: String
    public var eventName: String
    public var title: String
    public var channel: String
    public var target: String
    public var status: String
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var nextAttemptAt: Date
    public var sentAt: Date?
}
