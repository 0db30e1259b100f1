import Logging
import ServiceLifecycle
import Synchronization

/// Watches how far a read pool's server (a streaming replica) trails the primary, so reads go to it
/// only while its data is known to be recent enough.
///
/// Every `interval` it notes the time, then reads the primary's WAL insert position
/// (`pg_current_wal_insert_lsn()`), then the replica's replayed position and its role's rights.
/// Each read on the replica checks its own connection's position again (`ReadDatabase`), since the
/// pool's connections may reach different hosts of a multi-host URL. The bound holds whatever the
/// cause of lag (receive or replay, a stopped WAL receiver, an idle primary) and grows by itself
/// while nothing new arrives. A read server that is not in recovery (`prefer-standby` fell back to
/// a primary) is compared the same way, by its own insert position.
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

    /// The position of the server a connection is on: replayed for a standby, inserted for a primary.
    public static let positionQuery: SQLQuery = """
        select pg_is_in_recovery() as standby,
            (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_insert_lsn() end)::text as lsn
        """

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
    /// `maxStaleness`, its last check passed); `nil` sends reads to the primary.
    public func usableStaleness(now: ContinuousClock.Instant = .now) -> Duration? {
        guard let bound = self.state.withLock({ $0.stalenessBound(now: now) }), bound <= self.maxStaleness else { return nil }
        return bound
    }

    /// The bound for a server at `position` if within `maxStaleness`, else `nil`.
    public func acceptableStaleness(at position: WALPosition, now: ContinuousClock.Instant = .now) -> Duration? {
        guard let bound = self.state.withLock({ $0.bound(for: position, now: now) }), bound <= self.maxStaleness else { return nil }
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

    /// The replica is out of service: stop sending reads there until the next successful check.
    public func replicaFailed() {
        self.state.withLock { $0.replicaFailed() }
    }

    /// Takes one sample of each side now.
    public func sample() async {
        let asked = ContinuousClock.now
        do {
            let row = try await self.primary.query("select pg_current_wal_insert_lsn()::text as lsn").first
            if let text = try row?.decode("lsn", as: String.self), let lsn = WALPosition(text) {
                self.state.withLock { $0.recordPrimary(lsn, at: asked) }
            }
        } catch {
            // The primary is away (a failover?): no new sample, so the bound keeps growing.
            self.logger.debug("primary WAL position not read", metadata: ["error": .string(DatabaseError.loggable(error))])
        }
        do {
            let results = try await self.replica.withConnection { connection in
                try await connection.pipeline([
                    Self.positionQuery,
                    """
                    select coalesce((select rolsuper or rolbypassrls from pg_roles where rolname = current_user), true)
                        or exists (select from pg_tables where tableowner = current_user and schemaname = 'public') as privileged
                    """,
                ])
            }
            // Reads rely on row-level security as much as writes do: a role that bypasses it or
            // owns the tables never serves them.
            guard let position = results.first?.first, try results.last?.first?.decode("privileged", as: Bool.self) == false else {
                self.logger.error("the read replica's role bypasses row-level security or owns tables; reads go to the primary")
                self.state.withLock { $0.replicaFailed() }
                return
            }
            let standby = try position.decode("standby", as: Bool.self)
            let lsn = try position.decode("lsn", as: String?.self).flatMap(WALPosition.init)
            self.state.withLock { $0.recordReplica(lsn, standby: standby) }
        } catch DatabaseError.poolExhausted {
            // Busy serving reads: not a reason to stop using it.
        } catch {
            self.logger.info("read replica not reachable; reads go to the primary", metadata: ["error": .string(DatabaseError.loggable(error))])
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
