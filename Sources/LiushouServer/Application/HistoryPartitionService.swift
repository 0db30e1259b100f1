import LiushouPlatform
import LiushouPostgres
import Logging
import ServiceLifecycle

/// Keeps the months of partitioned history (`person_event`, `door_check`) created: every
/// `interval` it calls `history_partitions_ensure()`, which creates any missing month from two
/// back (late uploads of offline phones) to three ahead (one server at a time; the others return
/// at once). The server also calls it at start-up, after migrating. A failure (a lock not granted within 5 s, the database away) is logged and tried
/// again next time: the months are made three ahead, so many tries come before one is needed.
public struct HistoryPartitionService: Service {
    let pool: PostgresConnectionPool
    let interval: Duration
    let logger: Logger

    public init(pool: PostgresConnectionPool, interval: Duration = .seconds(3600), logger: Logger) {
        self.pool = pool
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await PeriodicService.run(every: self.interval) { await Self.ensure(pool: self.pool, logger: self.logger) }
    }

    /// Creates the missing months once.
    public static func ensure(pool: PostgresConnectionPool, logger: Logger) async {
        do {
            let created = try await pool.query("select history_partitions_ensure() as created").first?.decode("created", as: Int.self) ?? 0
            if created > 0 { logger.info("history partitions created", metadata: ["partitions": "\(created)"]) }
        } catch {
            logger.warning("history partitions not checked", metadata: ["error": "\(error)"])
        }
    }
}
