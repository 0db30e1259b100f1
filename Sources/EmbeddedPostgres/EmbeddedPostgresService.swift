import Logging
import ServiceLifecycle

/// Keeps the embedded cluster for the life of a `ServiceGroup` and stops it on graceful shutdown.
/// List it first in the group so it stops last, after the server and the pool.
public struct EmbeddedPostgresService: Service {
    private let cluster: EmbeddedPostgres
    private let logger: Logger

    /// Wraps a started cluster.
    public init(cluster: EmbeddedPostgres, logger: Logger) {
        self.cluster = cluster
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        do {
            try await self.cluster.stop()
        } catch {
            self.logger.error("stopping the embedded PostgreSQL failed", metadata: ["error": "\(error)"])
        }
    }
}
