import LiushouPlatform
import LiushouPostgres
import Logging

/// The dashboard's weekly snapshots: this week's counts are recorded at start-up (after migrating)
/// and then every hour; the current week is overwritten until it ends, past weeks stay as they were.
public enum DashboardSnapshots {
    /// Records this week's counts once; a failure is logged and tried again next time.
    public static func take(pool: PostgresConnectionPool, logger: Logger) async {
        do {
            let written = try await pool.query("select dashboard_snapshot_take() as written").first?.decode("written", as: Int.self) ?? 0
            logger.debug("dashboard snapshot taken", metadata: ["rows": "\(written)"])
        } catch {
            logger.warning("dashboard snapshot failed", metadata: ["error": .string(DatabaseError.loggable(error))])
        }
    }

    /// The service that takes them through `pool` every `interval`.
    public static func service(pool: PostgresConnectionPool, interval: Duration = .seconds(3600), logger: Logger) -> PeriodicService {
        PeriodicService(every: interval) { await Self.take(pool: pool, logger: logger) }
    }
}
