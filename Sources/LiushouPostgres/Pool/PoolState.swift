/// The pool's bookkeeping, mutated only under the pool's lock.
///
/// A "slot" is one unit of `maxConnections`: a leased connection or one being opened.
/// Waiters are served in FIFO order with either an idle connection or a slot to open one.
struct PoolState {
    enum Grant {
        case connection(PostgresConnection)
        case openNew
    }

    enum Waiter {
        case pending
        case waiting(CheckedContinuation<Grant, any Error>)
    }

    struct IdleConnection {
        var connection: PostgresConnection
        /// When a caller last gave it back (idle timeout counts from here).
        var lastUsed: ContinuousClock.Instant
        /// When it was last known healthy (health checks count from here).
        var lastChecked: ContinuousClock.Instant
    }

    let maxConnections: Int
    var idle: [IdleConnection] = []
    var slots = 0
    var waiters: [Int: Waiter] = [:]
    var waiterOrder: [Int] = []
    var nextWaiterID = 0
    var isClosed = false

    init(maxConnections: Int) {
        self.maxConnections = maxConnections
    }

    enum AcquireDecision {
        case granted(Grant)
        case wait(id: Int)
        case closed
    }

    mutating func acquire() -> AcquireDecision {
        if self.isClosed { return .closed }
        if let entry = self.idle.popLast() {
            self.slots += 1
            return .granted(.connection(entry.connection))
        }
        if self.slots < self.maxConnections {
            self.slots += 1
            return .granted(.openNew)
        }
        let id = self.nextWaiterID
        self.nextWaiterID += 1
        self.waiters[id] = .pending
        self.waiterOrder.append(id)
        return .wait(id: id)
    }

    enum AttachOutcome {
        case waiting
        case granted(Grant)
        case expired
        case closed
    }

    /// Attaches a continuation to a registered waiter. If capacity freed up since the waiter
    /// registered, it is granted at once; if the waiter already timed out, says so.
    mutating func attach(_ continuation: CheckedContinuation<Grant, any Error>, to id: Int) -> AttachOutcome {
        if self.isClosed {
            _ = self.removeWaiter(id)
            return .closed
        }
        guard case .pending = self.waiters[id] else { return .expired }
        // Capacity freed between registering and attaching goes to this waiter at once; releases
        // skip waiters that are not attached yet, so waiting here could strand an idle connection.
        if let entry = self.idle.popLast() {
            _ = self.removeWaiter(id)
            self.slots += 1
            return .granted(.connection(entry.connection))
        }
        if self.slots < self.maxConnections {
            _ = self.removeWaiter(id)
            self.slots += 1
            return .granted(.openNew)
        }
        self.waiters[id] = .waiting(continuation)
        return .waiting
    }

    /// Removes a waiter (timeout or cancellation); returns its continuation if it was still waiting.
    mutating func removeWaiter(_ id: Int) -> Waiter? {
        guard let waiter = self.waiters.removeValue(forKey: id) else { return nil }
        self.waiterOrder.removeAll { $0 == id }
        return waiter
    }

    enum ReleaseAction {
        case resume(CheckedContinuation<Grant, any Error>, Grant)
        case parked
        case close(PostgresConnection)
        case freed
    }

    /// Hands a slot back: to the first attached waiter if any, else parks the connection or frees the slot.
    mutating func release(
        _ connection: PostgresConnection?,
        now: ContinuousClock.Instant,
        lastUsed: ContinuousClock.Instant? = nil
    ) -> ReleaseAction {
        if !self.isClosed {
            for (position, id) in self.waiterOrder.enumerated() {
                guard case .waiting(let continuation) = self.waiters[id] else { continue }
                self.waiters[id] = nil
                self.waiterOrder.remove(at: position)
                return .resume(continuation, connection.map(Grant.connection) ?? .openNew)
            }
        }
        self.slots -= 1
        guard let connection else { return .freed }
        if self.isClosed { return .close(connection) }
        self.idle.append(IdleConnection(connection: connection, lastUsed: lastUsed ?? now, lastChecked: now))
        return .parked
    }

    /// Marks the pool closed and takes everything it holds.
    mutating func close() -> (idle: [PostgresConnection], waiters: [CheckedContinuation<Grant, any Error>]) {
        self.isClosed = true
        let idle = self.idle.map(\.connection)
        self.idle.removeAll()
        var continuations: [CheckedContinuation<Grant, any Error>] = []
        for id in self.waiterOrder {
            if case .waiting(let continuation) = self.waiters[id] { continuations.append(continuation) }
        }
        self.waiters.removeAll()
        self.waiterOrder.removeAll()
        return (idle, continuations)
    }

    /// Takes idle connections not checked since before `cutoff`, counting each as a leased slot.
    mutating func takeIdle(uncheckedSince cutoff: ContinuousClock.Instant) -> [IdleConnection] {
        let stale = self.idle.filter { $0.lastChecked < cutoff }
        self.idle.removeAll { $0.lastChecked < cutoff }
        self.slots += stale.count
        return stale
    }

    var statistics: PostgresPoolStatistics {
        PostgresPoolStatistics(
            open: self.slots + self.idle.count,
            inUse: self.slots,
            idle: self.idle.count,
            waiting: self.waiters.count
        )
    }
}
