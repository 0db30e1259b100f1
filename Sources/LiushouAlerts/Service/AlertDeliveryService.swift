import Foundation
import LiushouPlatform
import LiushouPostgres
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How the delivery service works; the defaults suit a county.
public struct AlertDeliverySettings: Sendable {
    /// How often an idle service looks for due deliveries.
    public var pollInterval: Duration = .milliseconds(250)
    /// How often it raises the time-based events (escalations, deadlines, digests).
    public var tickInterval: Duration = .seconds(30)
    /// How long a claimed delivery is this server's; after that another server may send it.
    public var lease: Duration = .seconds(60)
    /// How long one receiver may take to answer.
    public var sendTimeout: Duration = .seconds(10)
    /// Deliveries on the wire at once (a hung receiver holds one slot, not the service).
    public var maxInFlight: Int = 32
    /// Messages to one target (robot, phone) per minute: WeCom and DingTalk robots take 20.
    public var perTargetPerMinute: Int = 20
    /// Tries before a delivery is dead.
    public var maxAttempts: Int = 12
    /// The first retry's delay; each next one doubles, up to `retryCap`, with ±20 % jitter.
    public var retryBase: Duration = .seconds(10)
    public var retryCap: Duration = .seconds(3600)
    /// The server's address as people open it (links in outside messages); `nil` leaves links out.
    public var publicURL: String?
    /// The SMS gateway; without one SMS deliveries are dead letters that say so.
    public var smsGateway: SMSGateway?

    public init() {}
}

/// Sends the outbox: claims due deliveries (`FOR UPDATE SKIP LOCKED` with a lease, so several
/// servers share them and one that dies leaves them to the others), sends each with a timeout,
/// and records sent, retry-at with exponential back-off, or dead. At least once: a delivery whose
/// answer was lost is sent again with the same delivery id. Also raises the time-based events.
public struct AlertDeliveryService: Service {
    let pool: PostgresConnectionPool
    let vault: IdentifierVault
    let transport: any AlertTransport
    let settings: AlertDeliverySettings
    let startGate: StartGate
    let logger: Logger

    /// A service that starts sending once `startGate` opens (by default at once).
    public init(
        pool: PostgresConnectionPool,
        vault: IdentifierVault,
        transport: any AlertTransport = URLSessionTransport(),
        settings: AlertDeliverySettings = AlertDeliverySettings(),
        startGate: StartGate = StartGate(open: true),
        logger: Logger
    ) {
        self.pool = pool
        self.vault = vault
        self.transport = transport
        self.settings = settings
        self.startGate = startGate
        self.logger = logger
    }

    public func run() async throws {
        // Migrations and the application role's login come first (the server's start-up steps).
        while !self.startGate.isOpen {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(100)) }
            } catch {
                return
            }
        }
        let inFlight = InFlightCount()
        // A finished send wakes a loop that waits for a free slot (instead of a whole poll interval).
        let (slotFreed, freeSlot) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var slots = slotFreed.makeAsyncIterator()
        await withDiscardingTaskGroup { group in
            // Time-based alerts beside the sending: a long morning digest does not hold up a report.
            group.addTask {
                while !Task.isCancelled && !Task.isShuttingDownGracefully {
                    await self.tick()
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.tickInterval) }
                    } catch {
                        return
                    }
                }
            }
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let wanted = min(self.settings.maxInFlight - inFlight.value, 100)
                guard wanted > 0 else {
                    _ = await slots.next(isolation: nil)
                    continue
                }
                guard let claimed = await self.claim(limit: wanted) else {
                    // The database is away: look again in a while, not four times a second.
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(2)) }
                    continue
                }
                for delivery in claimed {
                    inFlight.add(1)
                    group.addTask {
                        await self.deliver(delivery)
                        inFlight.add(-1)
                        freeSlot.yield()
                    }
                }
                if claimed.count < wanted {
                    // Nothing more is due: poll again shortly.
                    do {
                        try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.pollInterval) }
                    } catch {
                        break
                    }
                }
            }
        }
        freeSlot.finish()
    }

    /// Raises due escalations, deadline alerts and digests once.
    public func tick() async {
        do {
            // A province's morning digest is a large statement: the bulk timeout, not a request's.
            let raised = try await self.pool.withTransaction(kind: .bulk) { transaction in
                try await transaction.query("select alerts_tick() as raised").first?.decode("raised", as: Int.self) ?? 0
            }
            if raised > 0 { self.logger.info("alerts raised by time", metadata: ["events": "\(raised)"]) }
        } catch {
            self.logger.warning("alerts tick failed", metadata: ["error": .string(DatabaseError.loggable(error))])
        }
    }

    /// Due deliveries, now this server's for the lease; `nil` when the database could not be asked.
    func claim(limit: Int) async -> [ClaimedDelivery]? {
        do {
            // A lease shorter than a send would let another server send it again while this one waits.
            let lease = "\(max(self.settings.lease, self.settings.sendTimeout + .seconds(5)).components.seconds) seconds"
            let rows = try await self.pool.query(
                """
                select * from alert_deliveries_claim(\(limit)::integer, \(lease)::interval, \(self.settings.perTargetPerMinute)::integer)
                """
            )
            var claimed: [ClaimedDelivery] = []
            for row in rows {
                do {
                    claimed.append(try Self.delivery(row))
                } catch {
                    // A row this build cannot read is a dead letter, not a lease claimed again forever.
                    if let id = try? row.decode("id", as: UUID.self), let attempt = try? row.decode("attempts", as: Int.self) {
                        _ = try? await self.pool.query("select alert_delivery_finish(\(id), \(attempt)::integer, 'dead', '无法读取的投递记录', null)")
                    }
                }
            }
            return claimed
        } catch {
            self.logger.warning("alert deliveries could not be claimed", metadata: ["error": .string(DatabaseError.loggable(error))])
            return nil
        }
    }

    private static func delivery(_ row: PostgresRow) throws -> ClaimedDelivery {
        let facts: PostgresJSON<[String: String]> = try row.decode("facts")
        let channel: String = try row.decode("channel")
        guard let kind = AlertChannelKind(rawValue: channel), kind != .inbox else { throw UnreadableDelivery() }
        return ClaimedDelivery(
            id: try row.decode("id"),
            channel: kind,
            attempts: try row.decode("attempts"),
            event: try row.decode("event"),
            title: try row.decode("title"),
            body: try row.decode("body"),
            link: try row.decode("link"),
            facts: facts.value,
            smsTemplateID: try row.decode("sms_template_id"),
            targetSealed: try row.decode("target_sealed"),
            secretSealed: try row.decode("secret_sealed"),
            mentions: try row.decode("mentions"),
            eventCreatedAt: try row.decode("event_created_at")
        )
    }

    /// One attempt of one delivery, and its record.
    func deliver(_ delivery: ClaimedDelivery) async {
        let outcome = await self.attempt(delivery)
        var status = "sent"
        var error: String? = nil
        var retryAt: Date? = nil
        switch outcome {
        case .sent:
            break
        case .dead(let reason):
            (status, error) = ("dead", reason)
        case .retry(let reason) where delivery.attempts >= self.settings.maxAttempts:
            (status, error) = ("dead", "\(reason)（已重试 \(delivery.attempts) 次）")
        case .retry(let reason):
            (status, error, retryAt) = ("retry", reason, Date().addingTimeInterval(self.backoff(attempt: delivery.attempts)))
        }
        let metadata: Logger.Metadata = [
            "delivery": "\(delivery.id.uuidString.lowercased())", "channel": "\(delivery.channel.rawValue)", "attempt": "\(delivery.attempts)",
        ]
        switch status {
        case "sent": self.logger.debug("alert delivered", metadata: metadata)
        case "dead": self.logger.error("alert delivery dead", metadata: metadata.merging(["reason": "\(error ?? "")"]) { $1 })
        default: self.logger.notice("alert delivery will be retried", metadata: metadata.merging(["reason": "\(error ?? "")"]) { $1 })
        }
        for wait in [0, 1, 2, 4] {
            if wait > 0 { try? await Task.sleep(for: .seconds(wait)) }
            do {
                try await self.pool.query(
                    "select alert_delivery_finish(\(delivery.id), \(delivery.attempts)::integer, \(status), \(error), \(retryAt))"
                )
                return
            } catch {
                self.logger.warning(
                    "alert delivery outcome not recorded yet",
                    metadata: metadata.merging(["error": .string(DatabaseError.loggable(error))]) { $1 }
                )
            }
        }
        // Unrecorded: the lease runs out and the delivery is sent again (at least once).
    }

    private func attempt(_ delivery: ClaimedDelivery) async -> SendOutcome {
        let request: OutgoingRequest
        do {
            guard let sealed = delivery.targetSealed, let target = try? self.vault.open(sealed) else {
                return .dead("收件地址无法解密或已删除")
            }
            switch delivery.channel {
            case .wecom:
                guard let url = URL(string: target) else { return .dead("机器人地址无效") }
                request = try AlertMessage.wecom(delivery, webhook: url, publicURL: self.settings.publicURL)
            case .dingtalk:
                guard let url = URL(string: target) else { return .dead("机器人地址无效") }
                let secret = try delivery.secretSealed.map { try self.vault.open($0) }
                request = try AlertMessage.dingtalk(delivery, webhook: url, secret: secret, publicURL: self.settings.publicURL)
            case .sms:
                guard let gateway = self.settings.smsGateway else { return .dead("未配置短信网关（LIUSHOU_SMS_GATEWAY_URL）") }
                request = try AlertMessage.sms(delivery, phone: target, gateway: gateway, publicURL: self.settings.publicURL)
            case .inbox:
                return .sent
            }
        } catch {
            return .dead("消息无法生成")
        }
        do {
            let answer = try await self.withDeadline(self.settings.sendTimeout) {
                try await self.transport.post(request, timeout: self.settings.sendTimeout)
            }
            return AlertMessage.outcome(channel: delivery.channel, status: answer.status, body: answer.body)
        } catch is DeadlinePassed {
            return .retry("接收方超时未应答")
        } catch {
            // The transport's error may name the address (and with it the robot's key): not recorded.
            return .retry((error as? URLError).map { $0.code == .timedOut ? "接收方超时未应答" : "无法连接接收方（\($0.code.rawValue)）" } ?? "发送失败")
        }
    }

    /// The transport's timeout is per read: a receiver trickling bytes could outlast the lease. This
    /// bounds the whole exchange.
    private func withDeadline<Value: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit + .seconds(1))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw DeadlinePassed() }
            return value
        }
    }

    /// Seconds until the next try after `attempt` tries.
    func backoff(attempt: Int) -> TimeInterval {
        let base = Double(self.settings.retryBase.components.seconds) + Double(self.settings.retryBase.components.attoseconds) / 1e18
        let cap = Double(self.settings.retryCap.components.seconds)
        let delay = min(cap, base * pow(2, Double(max(0, attempt - 1))))
        return delay * Double.random(in: 0.8...1.2)
    }
}

/// Deliveries on the wire, shared by the loop and the sending tasks.
private final class InFlightCount: Sendable {
    private let count = Mutex(0)

    var value: Int { self.count.withLock { $0 } }

    func add(_ delta: Int) {
        self.count.withLock { $0 += delta }
    }
}

/// Opened once the server's start-up steps (migrations, the application role's login) are done.
public final class StartGate: Sendable {
    private let state: Mutex<Bool>

    public init(open: Bool = false) {
        self.state = Mutex(open)
    }

    public var isOpen: Bool { self.state.withLock { $0 } }

    public func open() {
        self.state.withLock { $0 = true }
    }
}

/// A send that outran its time.
struct DeadlinePassed: Error {}

/// A claimed row this build cannot read.
struct UnreadableDelivery: Error {}
