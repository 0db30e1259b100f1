import Foundation
import LiushouHTTP
import LiushouPostgres

/// The SQL of the alerts module behind the HTTP handlers: every statement runs in the caller's
/// scoped transaction, so row-level security decides whose inbox, which county's rules and which
/// units' channels and deliveries it reaches.
public struct AlertStore: Sendable {
    public init() {}

    // MARK: Inbox

    public func inbox(unreadOnly: Bool, limit: Int, before: Date?, in transaction: PostgresTransaction) async throws -> InboxPage {
        let unreadFilter: SQLQuery = unreadOnly ? "and a.read_at is null" : ""
        let rows = try await transaction.query(
            """
            select a.id, e.event, e.urgency, e.title, e.body, e.link, a.created_at, a.read_at
            from alert a join alert_event e on e.id = a.event_id
            where a.account_id = liushou_account() \(unreadFilter) and a.created_at < \(before ?? Date.distantFuture)
            order by a.created_at desc, a.id limit \(limit)
            """
        )
        let items = try rows.map { row in
            let event: String = try row.decode("event")
            return InboxAlert(
                id: try row.decode("id"),
                event: event,
                eventName: AlertEventKind(rawValue: event)?.chineseName ?? event,
                urgency: try row.decode("urgency"),
                title: try row.decode("title"),
                body: try row.decode("body"),
                link: try row.decode("link"),
                createdAt: try row.decode("created_at"),
                readAt: try row.decode("read_at")
            )
        }
        let unread =
            try await transaction.query("select count(*) as n from alert a where a.account_id = liushou_account() and a.read_at is null")
            .first?.decode("n", as: Int.self) ?? 0
        return InboxPage(items: items, unread: unread)
    }

    /// When the alert was read (now, unless it was before); `nil` when it is not the caller's.
    public func markRead(_ id: UUID, in transaction: PostgresTransaction) async throws -> Date? {
        try await transaction.query(
            """
            update alert a set read_at = coalesce(a.read_at, now()) where a.id = \(id) and a.account_id = liushou_account() returning a.read_at
            """
        ).first?.decode("read_at", as: Date.self)
    }

    public func markAllRead(in transaction: PostgresTransaction) async throws -> Int {
        try await transaction.query("update alert a set read_at = now() where a.account_id = liushou_account() and a.read_at is null").affectedRows
    }

    // MARK: Contact settings

    /// What to do with the stored phone.
    public enum PhoneChange: Sendable {
        case keep
        case clear
        case set(sealed: Data, hint: String)
    }

    public func contact(in transaction: PostgresTransaction) async throws -> ContactSettings {
        guard
            let row = try await transaction.query(
                """
                select c.phone_hint, c.wecom_user_id, c.dingtalk_user_id, c.version from account_contact c where c.account_id = liushou_account()
                """
            ).first
        else { return ContactSettings(phone: nil, wecomUserId: nil, dingtalkUserId: nil, version: 0) }
        return ContactSettings(
            phone: try row.decode("phone_hint"),
            wecomUserId: try row.decode("wecom_user_id"),
            dingtalkUserId: try row.decode("dingtalk_user_id"),
            version: try row.decode("version")
        )
    }

    /// Saves the settings if they are still at `version` (0: never saved); `nil` when they are not.
    public func saveContact(
        version: Int,
        phone: PhoneChange,
        wecomUserId: String?,
        dingtalkUserId: String?,
        in transaction: PostgresTransaction
    ) async throws -> ContactSettings? {
        let current = try await self.contact(in: transaction)
        guard current.version == version else { return nil }
        let (keepPhone, sealed, hint): (Bool, Data?, String?) =
            switch phone {
            case .keep: (true, nil, nil)
            case .clear: (false, nil, nil)
            case .set(let sealed, let hint): (false, sealed, hint)
            }
        let written = try await transaction.query(
            """
            insert into account_contact as c (account_id, phone_sealed, phone_hint, wecom_user_id, dingtalk_user_id)
            values (liushou_account(), \(sealed), \(hint), \(wecomUserId), \(dingtalkUserId))
            on conflict (account_id) do update set
                phone_sealed = case when \(keepPhone) then c.phone_sealed else excluded.phone_sealed end,
                phone_hint = case when \(keepPhone) then c.phone_hint else excluded.phone_hint end,
                wecom_user_id = excluded.wecom_user_id, dingtalk_user_id = excluded.dingtalk_user_id,
                version = c.version + 1, updated_at = now()
            where c.version = \(version)
            """
        ).affectedRows
        // Nothing written: another save moved the settings on since they were read (a first save
        // racing another meets the other's row), and this one is answered 412.
        guard written == 1 else { return nil }
        return try await self.contact(in: transaction)
    }

    // MARK: Rules

    private static let ruleColumns: SQLQuery = """
        r.event, r.county_id, r.enabled, r.recipient_roles, r.urgency, r.channels, r.title_template, r.body_template,
        r.sms_template_id, r.ack_minutes, r.version
        """

    /// The county's path; `nil` when the unit is not a county.
    public func countyPath(_ county: UUID, in transaction: PostgresTransaction) async throws -> String? {
        guard let row = try await transaction.query("select b.kind, b.path from liushou_unit_brief(\(county)) b").first,
            try row.decode("kind", as: String.self) == "county"
        else { return nil }
        return try row.decode("path", as: String.self)
    }

    /// The effective rule of every configurable event in a county.
    public func rules(county: UUID, in transaction: PostgresTransaction) async throws -> [AlertRule] {
        let rows = try await transaction.query(
            """
            select distinct on (r.event) \(Self.ruleColumns) from alert_rule r
            where (r.county_id = \(county) or r.county_id is null) and r.event <> 'channel.test'
            order by r.event, r.county_id is null
            """
        )
        let rules = try rows.map(Self.rule)
        let order = AlertEventKind.allCases.map(\.rawValue)
        return rules.sorted { (order.firstIndex(of: $0.event) ?? 99) < (order.firstIndex(of: $1.event) ?? 99) }
    }

    public func rule(_ event: AlertEventKind, county: UUID, in transaction: PostgresTransaction) async throws -> AlertRule? {
        try await self.rules(county: county, in: transaction).first { $0.event == event.rawValue }
    }

    /// The fields a county sets.
    public struct RuleInput: Sendable {
        public var enabled: Bool
        public var recipientRoles: [String]
        public var urgency: AlertUrgency
        public var channels: [String]
        public var title: String
        public var body: String
        public var smsTemplateId: String?
        public var ackMinutes: Int?
    }

    /// Writes the county's override if the effective rule is still at `version` (a default is 0);
    /// `nil` when it is not.
    public func saveRule(
        _ event: AlertEventKind,
        county: UUID,
        version: Int,
        input: RuleInput,
        in transaction: PostgresTransaction
    ) async throws -> AlertRule? {
        guard let current = try await self.rule(event, county: county, in: transaction), current.version == version else { return nil }
        // The write itself holds the version it was read at: of two concurrent saves at one version,
        // the second changes nothing (its first override meets the other's row; its update finds
        // the version moved on) and is answered 412.
        let written: Int
        if current.source == "default" {
            written = try await transaction.query(
                """
                insert into alert_rule (event, county_id, enabled, recipient_roles, urgency, channels, title_template, body_template,
                    sms_template_id, ack_minutes, updated_by)
                values (\(event.rawValue), \(county), \(input.enabled), \(input.recipientRoles), \(input.urgency.rawValue), \(input.channels),
                    \(input.title), \(input.body), \(input.smsTemplateId), \(input.ackMinutes), liushou_account())
                on conflict do nothing
                """
            ).affectedRows
        } else {
            written = try await transaction.query(
                """
                update alert_rule set enabled = \(input.enabled), recipient_roles = \(input.recipientRoles), urgency = \(input.urgency.rawValue),
                    channels = \(input.channels), title_template = \(input.title), body_template = \(input.body),
                    sms_template_id = \(input.smsTemplateId), ack_minutes = \(input.ackMinutes), updated_by = liushou_account(),
                    updated_at = now(), version = version + 1
                where event = \(event.rawValue) and county_id = \(county) and version = \(version)
                """
            ).affectedRows
        }
        guard written == 1 else { return nil }
        return try await self.rule(event, county: county, in: transaction)
    }

    /// Drops the county's override if it is still at `version`; the default applies again. `nil`
    /// when the override changed meanwhile.
    public func revertRule(_ event: AlertEventKind, county: UUID, version: Int, in transaction: PostgresTransaction) async throws -> AlertRule? {
        let dropped = try await transaction.query(
            "delete from alert_rule where event = \(event.rawValue) and county_id = \(county) and version = \(version)"
        ).affectedRows
        let rule = try await self.rule(event, county: county, in: transaction)
        // Nothing dropped is a change only when an override is still there.
        return dropped == 0 && rule?.source == "county" ? nil : rule
    }

    private static func rule(_ row: PostgresRow) throws -> AlertRule {
        let event: String = try row.decode("event")
        let county: UUID? = try row.decode("county_id")
        return AlertRule(
            event: event,
            eventName: AlertEventKind(rawValue: event)?.chineseName ?? event,
            source: county == nil ? "default" : "county",
            enabled: try row.decode("enabled"),
            recipientRoles: try row.decode("recipient_roles"),
            urgency: try row.decode("urgency"),
            channels: try row.decode("channels"),
            title: try row.decode("title_template"),
            body: try row.decode("body_template"),
            smsTemplateId: try row.decode("sms_template_id"),
            ackMinutes: try row.decode("ack_minutes"),
            version: county == nil ? 0 : try row.decode("version")
        )
    }

    // MARK: Channels

    private static let channelColumns: SQLQuery = """
        ch.id, ch.unit_id, ch.kind, ch.name, ch.target_hint, ch.secret_sealed is not null as signed, ch.events, ch.active, ch.version,
        ch.created_at, ch.content_hash, (select b.name from liushou_unit_brief(ch.unit_id) b) as unit_name
        """

    public func channels(unit: UUID?, in transaction: PostgresTransaction) async throws -> [AlertChannel] {
        let filter: SQLQuery = unit.map { "and ch.unit_id = \($0)" } ?? ""
        return try await transaction.query(
            """
            select \(Self.channelColumns) from alert_channel ch where ch.active \(filter) order by ch.unit_id, ch.created_at limit 500
            """
        ).map { try Self.channel($0).0 }
    }

    /// The path of the unit a channel is for; `nil` when there is no such unit.
    public func unitPath(_ unit: UUID, in transaction: PostgresTransaction) async throws -> String? {
        try await transaction.query("select b.path from liushou_unit_brief(\(unit)) b").first?.decode("path", as: String?.self)
    }

    /// The channel and the hash of what created it.
    public func channel(_ id: UUID, in transaction: PostgresTransaction) async throws -> (AlertChannel, Data)? {
        try await transaction.query("select \(Self.channelColumns) from alert_channel ch where ch.id = \(id)").first.map(Self.channel)
    }

    /// What a new channel holds, its secrets sealed.
    public struct NewChannel: Sendable {
        public var id: UUID
        public var unitID: UUID
        public var kind: AlertChannelKind
        public var name: String
        public var targetSealed: Data
        public var secretSealed: Data?
        public var targetHint: String
        public var events: [String]?
        public var contentHash: Data
    }

    public func createChannel(_ channel: NewChannel, in transaction: PostgresTransaction) async throws -> AlertChannel {
        try await transaction.query(
            """
            insert into alert_channel (id, unit_id, kind, name, target_sealed, secret_sealed, target_hint, events, content_hash, created_by)
            values (\(channel.id), \(channel.unitID), \(channel.kind.rawValue), \(channel.name), \(channel.targetSealed), \(channel.secretSealed),
                \(channel.targetHint), \(channel.events), \(channel.contentHash), liushou_account())
            """
        )
        guard let created = try await self.channel(channel.id, in: transaction) else { throw Problem.internalError }
        return created.0
    }

    /// Stops a channel at `version`; `false` when it moved on meanwhile.
    public func deactivateChannel(_ id: UUID, version: Int, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            update alert_channel set active = false, version = version + 1 where id = \(id) and version = \(version) and active
            """
        ).affectedRows == 1
    }

    /// Queues a test message to the channel; its delivery id.
    public func testChannel(_ id: UUID, in transaction: PostgresTransaction) async throws -> UUID? {
        try await transaction.query("select alert_channel_test(\(id)) as delivery").first?.decode("delivery", as: UUID?.self)
    }

    private static func channel(_ row: PostgresRow) throws -> (AlertChannel, Data) {
        (
            AlertChannel(
                id: try row.decode("id"),
                unitId: try row.decode("unit_id"),
                unitName: try row.decode("unit_name", as: String?.self) ?? "",
                kind: try row.decode("kind"),
                name: try row.decode("name"),
                target: try row.decode("target_hint"),
                signed: try row.decode("signed"),
                events: try row.decode("events"),
                active: try row.decode("active"),
                version: try row.decode("version"),
                createdAt: try row.decode("created_at")
            ), try row.decode("content_hash")
        )
    }

    // MARK: Deliveries

    private static let deliveryColumns: SQLQuery = """
        d.id, e.event, e.title, d.channel, d.status, d.attempts, d.last_error, d.created_at, d.next_attempt_at, d.sent_at,
        coalesce((select ch.target_hint from alert_channel ch where ch.id = d.channel_id),
            (select a.display_name from account a where a.id = d.account_id) || ' ' ||
            coalesce((select c.phone_hint from account_contact c where c.account_id = d.account_id), '')) as target
        """

    public func deliveries(status: String, limit: Int, in transaction: PostgresTransaction) async throws -> [AlertDeliveryView] {
        try await transaction.query(
            """
            select \(Self.deliveryColumns) from alert_delivery d join alert_event e on e.id = d.event_id
            where d.status = \(status) order by d.created_at desc limit \(limit)
            """
        ).map(Self.delivery)
    }

    /// Sends a dead delivery again from its first try; `nil` when there is no such delivery in scope,
    /// `false` when it is not dead.
    public func retry(_ id: UUID, in transaction: PostgresTransaction) async throws -> (AlertDeliveryView, Bool)? {
        let updated = try await transaction.query(
            """
            update alert_delivery set status = 'pending', attempts = 0, next_attempt_at = now(), leased_until = null
            where id = \(id) and status = 'dead'
            """
        ).affectedRows
        guard
            let row = try await transaction.query(
                """
                select \(Self.deliveryColumns) from alert_delivery d join alert_event e on e.id = d.event_id where d.id = \(id)
                """
            ).first
        else { return nil }
        return (try Self.delivery(row), updated == 1)
    }

    private static func delivery(_ row: PostgresRow) throws -> AlertDeliveryView {
        let event: String = try row.decode("event")
        return AlertDeliveryView(
            id: try row.decode("id"),
            event: event,
            eventName: AlertEventKind(rawValue: event)?.chineseName ?? event,
            title: try row.decode("title"),
            channel: try row.decode("channel"),
            target: try row.decode("target", as: String?.self) ?? "",
            status: try row.decode("status"),
            attempts: try row.decode("attempts"),
            lastError: try row.decode("last_error"),
            createdAt: try row.decode("created_at"),
            nextAttemptAt: try row.decode("next_attempt_at"),
            sentAt: try row.decode("sent_at")
        )
    }
}
