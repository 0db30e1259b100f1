import Logging
import ServiceLifecycle

/// Keeps the embedded cluster for the life of a `ServiceGroup`: restarts the postmaster when it
/// dies (with back-off), and stops the cluster on graceful shutdown. List it first in the group so
/// it stops last, after the server and the pool.
public struct EmbeddedPostgresService: Service {
    private let cluster: EmbeddedPostgres
    private let logger: Logger
    private let checkInterval: Duration

    /// Wraps a started cluster; its postmaster is checked every `checkInterval`.
    public init(cluster: EmbeddedPostgres, logger: Logger, checkInterval: Duration = .seconds(1)) {
        self.cluster = cluster
        self.logger = logger
        self.checkInterval = checkInterval
    }

    public func run() async throws {
        await self.supervise()
        do {
            try await self.cluster.stop()
        } catch {
            self.logger.error("stopping the embedded PostgreSQL failed", metadata: ["error": "\(error)"])
        }
    }

    private func supervise() async {
        var backoff = Duration.milliseconds(500)
        var wait = self.checkInterval
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let delay = wait
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                return
            }
            wait = self.checkInterval
            guard !self.cluster.isPostmasterAlive(), !Task.isShuttingDownGracefully else {
                backoff = .milliseconds(500)
                continue
            }
            self.logger.error("the embedded PostgreSQL stopped running; starting it again", metadata: ["restarts": "\(self.cluster.status.restarts)"])
            do {
                try await self.cluster.restartAfterCrash()
                self.logger.warning("the embedded PostgreSQL runs again", metadata: ["restarts": "\(self.cluster.status.restarts)"])
                backoff = .milliseconds(500)
            } catch {
                self.logger.error("restarting the embedded PostgreSQL failed", metadata: ["error": "\(error)", "retry_in": "\(backoff)"])
                wait = backoff
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }
}
