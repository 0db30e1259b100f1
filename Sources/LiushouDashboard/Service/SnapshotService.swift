import LiushouPlatform
import LiushouPostgres
import Logging
import ServiceLifecycle

/// Keeps the dashboard's weekly snapshots: records this week's counts every `interval` (the
/// server also takes one at start-up, after migrating; the current week is overwritten until it
/// ends, past weeks stay as they were).
public struct SnapshotService: Service {
    let pool: PostgresConnectionPool
    let interval: Duration
    let logger: Logger

    /// Snapshots written through `pool` every `interval` (an hour by default).
    public init(pool: PostgresConnectionPool, interval: Duration = .seconds(3600), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await PeriodicService.run(every: self.interval) { await self.take() }
    }

    /// Records this week's counts once.
    public func take() async {
        do {
            let written = try await self.pool.query("select dashboard_snapshot_take() as written").first?.decode("written", as: Int.self) ?? 0
            self.logger.debug("dashboard snapshot taken", metadata: ["rows": "\(written)"])
        } catch {
            self.logger.warning("dashboard snapshot failed", metadata: ["error": "\(error)"])
        }
    }
}
