import ServiceLifecycle

/// A service that does one piece of upkeep every `interval` (snapshots, partitions): the first run
/// after one interval (the server does it once at start-up, after migrating), none once the server
/// shuts down gracefully. `work` handles its own failures (logs them and waits for the next turn).
public struct PeriodicService: Service {
    let interval: Duration
    let work: @Sendable () async -> Void

    public init(every interval: Duration, _ work: @escaping @Sendable () async -> Void) {
        self.interval = interval
        self.work = work
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: self.interval) }
            } catch {
                return
            }
            await self.work()
        }
    }
}
