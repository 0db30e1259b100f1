import LiushouPlatform
import LiushouPostgres
import Logging

/// The months of partitioned history (`person_event`, `door_check`), kept created:
/// `history_partitions_ensure()` creates any missing month from two back (late uploads of offline
/// phones) to three ahead (one server at a time; the others return at once). The server calls it at
/// start-up, after migrating, and then every hour. A failure (a lock not granted within 5 s, the
/// database away) is logged and tried again next time: the months are made three ahead, so many
/// tries come before one is needed.
public enum HistoryPartitions {
    /// Creates the missing months once.
    public static func ensure(pool: PostgresConnectionPool, logger: Logger) async {
        do {
            let created = try await pool.query("select history_partitions_ensure() as created").first?.decode("created", as: Int.self) ?? 0
            if created > 0 { logger.info("history partitions created", metadata: ["partitions": "\(created)"]) }
        } catch {
            logger.warning("history partitions not checked", metadata: ["error": .string(DatabaseError.loggable(error))])
        }
    }

    /// The service that keeps them through `pool` every `interval`.
    public static func service(pool: PostgresConnectionPool, interval: Duration = .seconds(3600), logger: Logger) -> PeriodicService {
        PeriodicService(every: interval) { await Self.ensure(pool: pool, logger: logger) }
    }
}
