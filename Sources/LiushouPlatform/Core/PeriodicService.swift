import ServiceLifecycle

/// The loop of a service that does one piece of upkeep every `interval` (snapshots, partitions):
/// the first run after one interval (the server does it once at start-up, after migrating), none
/// once the server shuts down gracefully.
public enum PeriodicService {
    public static func run(every interval: Duration, _ work: () async -> Void) async {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await work()
        }
    }
}
