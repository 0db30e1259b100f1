import Logging
import ServiceLifecycle
import Synchronization

/// Watches how far a read pool's server (a streaming replica) trails the primary, so reads can go
/// to it only while its data is known to be recent enough.
///
/// Every `interval` it reads the primary's WAL position (`pg_current_wal_lsn()`) and then the
/// replica's replayed position (`pg_last_wal_replay_lsn()`). The replica has replayed everything
/// the primary had written at the newest sample whose position it has reached, so its data is at
/// most `now − that sample's time` old. The bound holds whatever the cause of lag (receive or
/// replay, a stopped WAL receiver, an idle primary) and grows by itself while nothing new arrives.
/// A read server that is not in recovery (`prefer-standby` fell back to a primary) is compared the
/// same way, by its current WAL position.
public final class ReplicaMonitor: Service, Sendable {
    /// The pool writes go to.
    public let primary: PostgresConnectionPool
    /// The pool reads may go to.
    public let replica: PostgresConnectionPool
    /// Reads go to the replica only while its data is at most this old.
    public let maxStaleness: Duration
    /// Time between samples.
    public let interval: Duration
    private let state: Mutex<ReplicaLag>
    private let logger: Logger

    public init(
        primary: PostgresConnectionPool,
        replica: PostgresConnectionPool,
        maxStaleness: Duration,
        interval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.primary = primary
        self.replica = replica
        self.maxStaleness = maxStaleness
        self.interval = interval
        self.logger = logger
        let kept = Int(maxStaleness.components.seconds / max(1, interval.components.seconds)) + 4
        self.state = Mutex(ReplicaLag(keep: kept))
    }

    /// How old the replica's data may be now, if it is usable for reads (known, within
    /// `maxStaleness`, and its last check did not fail); `nil` sends reads to the primary.
    public func usableStaleness(now: ContinuousClock.Instant = .now) -> Duration? {
        guard let bound = self.state.withLock({ $0.stalenessBound(now: now) }), bound <= self.maxStaleness else { return nil }
        return bound
    }

    /// The current bound whether usable or not (for metrics and `/readyz`); `nil` when unknown.
    public func stalenessBound(now: ContinuousClock.Instant = .now) -> Duration? {
        self.state.withLock { $0.stalenessBound(now: now) }
    }

    /// Whether the replica's server is a standby (in recovery), as last seen.
    public var replicaIsStandby: Bool? {
        self.state.withLock { $0.replicaIsStandby }
    }

    /// A read on the replica failed for lack of service: stop sending reads there until the next
    /// successful check.
    public func replicaFailed() {
        self.state.withLock { $0.replicaFailed() }
    }

    /// Takes one sample of each side now.
    public func sample() async {
        do {
            let row = try await self.primary.query("select pg_current_wal_lsn()::text as lsn").first
            if let text = try row?.decode("lsn", as: String.self), let lsn = WALPosition(text) {
                self.state.withLock { $0.recordPrimary(lsn, at: .now) }
            }
        } catch {
            // The primary is away (a failover?): no new sample, so the bound keeps growing.
            self.logger.debug("primary WAL position not read", metadata: ["error": "\(error)"])
        }
        do {
            let row = try await self.replica.query(
                """
                select pg_is_in_recovery() as standby,
                    (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text as lsn,
                    coalesce((select rolsuper or rolbypassrls from pg_roles where rolname = current_user), true) as privileged
                """
            ).first
            guard let row else { return }
            // Reads rely on row-level security as much as writes do.
            guard try !row.decode("privileged", as: Bool.self) else {
                self.logger.error("read replica's role bypasses row-level security; reads go to the primary")
                self.state.withLock { $0.replicaFailed() }
                return
            }
            let standby = try row.decode("standby", as: Bool.self)
            let lsn = try row.decode("lsn", as: String?.self).flatMap(WALPosition.init)
            self.state.withLock { $0.recordReplica(lsn, standby: standby) }
        } catch {
            self.logger.info("read replica not reachable; reads go to the primary", metadata: ["error": "\(error)"])
            self.state.withLock { $0.replicaFailed() }
        }
    }

    /// Samples every `interval` until graceful shutdown.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await self.sample()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                break
            }
        }
    }
}

/// A WAL position (`pg_lsn`), e.g. `16/B374D848`.
public struct WALPosition: Comparable, Sendable {
    public let value: UInt64

    public init(value: UInt64) {
        self.value = value
    }

    /// Parses PostgreSQL's text form, two hexadecimal halves separated by `/`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16),
            high <= UInt64(UInt32.max), low <= UInt64(UInt32.max)
        else { return nil }
        self.value = high << 32 | low
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool { lhs.value < rhs.value }
}

/// The samples behind `ReplicaMonitor`'s bound (a value type, so the arithmetic is tested alone).
public struct ReplicaLag: Sendable {
    private var samples: [(at: ContinuousClock.Instant, position: WALPosition)] = []
    private let keep: Int
    /// Time of the newest primary sample the replica had reached when last checked.
    private var coveredAt: ContinuousClock.Instant?
    private var failed = true
    public private(set) var replicaIsStandby: Bool?

    public init(keep: Int) {
        self.keep = max(2, keep)
    }

    public mutating func recordPrimary(_ position: WALPosition, at instant: ContinuousClock.Instant) {
        self.samples.append((at: instant, position: position))
        if self.samples.count > self.keep { self.samples.removeFirst(self.samples.count - self.keep) }
    }

    /// The replica's position as just read: the newest primary sample at or below it is covered.
    public mutating func recordReplica(_ position: WALPosition?, standby: Bool) {
        self.replicaIsStandby = standby
        guard let position else {
            // A standby that has replayed nothing yet.
            self.failed = true
            return
        }
        self.failed = false
        if let covered = self.samples.last(where: { $0.position <= position }) {
            // Never move backwards: a sample that has since dropped out of the window stays covered.
            if self.coveredAt.map({ covered.at > $0 }) ?? true { self.coveredAt = covered.at }
        }
    }

    public mutating func replicaFailed() {
        self.failed = true
    }

    /// How old the replica's data may be at `now`; `nil` when unknown or the replica failed.
    public func stalenessBound(now: ContinuousClock.Instant) -> Duration? {
        guard !self.failed, let coveredAt = self.coveredAt else { return nil }
        return max(.zero, now - coveredAt)
    }
}
