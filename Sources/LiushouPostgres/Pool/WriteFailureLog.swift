import Synchronization

/// The last minute of statements the server refused for want of resources (class 53: disk full,
/// out of memory, too many connections), for a failing disk (class 58) or because it is a read-only
/// standby (25006), by SQLSTATE class: what readiness reports when reads work and writes do not.
public final class WriteFailureLog: Sendable {
    private let entries = Mutex<[(at: ContinuousClock.Instant, sqlStateClass: String)]>([])

    public init() {}

    /// Notes `error` if it is such a refusal.
    public func record(_ error: any Error) {
        guard let database = error as? DatabaseError, let state = database.sqlState,
            state.hasPrefix("53") || state.hasPrefix("58") || state == "25006"
        else { return }
        let now = ContinuousClock.now
        self.entries.withLock { entries in
            entries.removeAll { $0.at < now - .seconds(60) }
            if entries.count < 1000 { entries.append((at: now, sqlStateClass: String(state.prefix(2)))) }
        }
    }

    /// How many refusals each SQLSTATE class had within `window`.
    public func counts(within window: Duration) -> [String: Int] {
        let cutoff = ContinuousClock.now - window
        return self.entries.withLock { entries in
            entries.filter { $0.at >= cutoff }.reduce(into: [:]) { $0[$1.sqlStateClass, default: 0] += 1 }
        }
    }
}
