import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A bounded pool of libpq connections, run as a `Service`: its `run()` health-checks idle
/// connections until graceful shutdown, then closes the pool.
public final class PostgresConnectionPool: Service, Sendable {
    /// The pool's settings.
    public let configuration: PostgresPoolConfiguration
    private let state: Mutex<PoolState>
    /// Connections currently leased, so shutdown can cancel what they are running.
    private let leased = Mutex<[ObjectIdentifier: PostgresConnection]>([:])
    /// Recent statements refused for lack of resources (disk, memory, connections) or a read-only
    /// server: reads may still work while every write fails.
    public let failures = WriteFailureLog()
    private let logger: Logger

    /// Creates a pool; connections are opened on demand.
    public init(configuration: PostgresPoolConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(PoolState(maxConnections: configuration.maxConnections))
    }

    /// Counts for metrics.
    public var statistics: PostgresPoolStatistics {
        self.state.withLock { $0.statistics }
    }

    /// Leases a connection for the duration of `body`.
    @discardableResult
    public func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        kind: TransactionKind = .standard,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await self.lease()
        connection.setAnswerTimeout(self.configuration.answerTimeout(for: kind))
        self.leased.withLock { $0[ObjectIdentifier(connection)] = connection }
        do {
            let result = try await body(connection)
            self.leased.withLock { $0[ObjectIdentifier(connection)] = nil }
            await self.giveBack(connection)
            return result
        } catch {
            self.leased.withLock { $0[ObjectIdentifier(connection)] = nil }
            self.failures.record(error)
            await self.giveBack(connection)
            throw error
        }
    }

    /// Runs one statement on a pooled connection, outside any explicit transaction. With a statement
    /// timeout configured, the statement carries its own (`set_config(…, true)` in the same implicit
    /// transaction and round trip): behind a transaction-mode pooler the connect-time setting may
    /// belong to another server connection.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresResult {
        try await self.withConnection { connection in
            guard let timeout = self.configuration.statementTimeout else { return try await connection.query(query) }
            let milliseconds = String(PostgresConnection.milliseconds(timeout))
            return try await connection.pipeline(["select set_config('statement_timeout', \(milliseconds), true)", query])[1]
        }
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    ///
    /// `settings` are applied with `set_config(name, value, true)` (transaction-local), which is how
    /// row-level-security scopes reach PostgreSQL. Serialization failures and deadlocks are retried
    /// up to `maxAttempts` times in all.
    @discardableResult
    public func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        level: TransactionIsolation = .readCommitted,
        kind: TransactionKind = .standard,
        settings: [(name: String, value: String)] = [],
        maxAttempts: Int = 1,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        var settings = settings
        // Every transaction carries its own timeout rather than relying on the connection's: behind
        // a transaction-mode pooler (PgBouncer) the session that ran the connect-time SET is not
        // necessarily the one this transaction gets.
        if let timeout = self.configuration.statementTimeout(for: kind) {
            settings.append((name: "statement_timeout", value: String(PostgresConnection.milliseconds(timeout))))
        }
        var attempt = 1
        while true {
            do {
                return try await self.withConnection(kind: kind) { connection in
                    try await PostgresTransaction.run(on: connection, level: level, settings: settings, body)
                }
            } catch let error as DatabaseError where error.isRetryable && attempt < maxAttempts {
                attempt += 1
                self.logger.debug("retrying transaction", metadata: ["attempt": "\(attempt)", "reason": .string(DatabaseError.loggable(error))])
            }
        }
    }

    /// Leases a connection; the caller must hand it back with `giveBack`.
    private func lease() async throws -> PostgresConnection {
        var grant: PoolState.Grant
        switch self.state.withLock({ $0.acquire() }) {
        case .closed:
            throw DatabaseError.poolClosed
        case .granted(let granted):
            grant = granted
        case .wait(let id):
            grant = try await self.wait(for: id)
        }
        if case .connection(let connection) = grant {
            if connection.isHealthyWithoutRoundTrip() {
                return connection
            }
            self.logger.info("discarding a pooled connection the server closed", metadata: ["backend_pid": "\(connection.backendPID)"])
            await connection.close()
        }
        do {
            return try await PostgresConnection.connect(
                conninfo: self.configuration.conninfo,
                connectTimeout: self.configuration.connectTimeout,
                statementTimeout: self.configuration.statementTimeout,
                answerGrace: self.configuration.answerGrace
            )
        } catch {
            self.handBack(nil)
            throw error
        }
    }

    private func wait(for id: Int) async throws -> PoolState.Grant {
        let timeout = self.configuration.acquireTimeout
        let exhausted = DatabaseError.poolExhausted(
            maxConnections: self.configuration.maxConnections,
            waitedMilliseconds: Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await Task.sleep(for: timeout)
                    self.expire(id, with: exhausted)
                } catch {
                    self.expire(id, with: CancellationError())
                }
            }
            defer { group.cancelAll() }
            return try await withCheckedThrowingContinuation { continuation in
                switch self.state.withLock({ $0.attach(continuation, to: id) }) {
                case .waiting:
                    break
                case .granted(let grant):
                    continuation.resume(returning: grant)
                case .expired:
                    continuation.resume(throwing: exhausted)
                case .closed:
                    continuation.resume(throwing: DatabaseError.poolClosed)
                }
            }
        }
    }

    private func expire(_ id: Int, with error: any Error) {
        if case .waiting(let continuation) = self.state.withLock({ $0.removeWaiter(id) }) {
            continuation.resume(throwing: error)
        }
    }

    /// Returns a leased connection; broken ones and ones left inside a transaction are closed.
    private func giveBack(_ connection: PostgresConnection, lastUsed: ContinuousClock.Instant? = nil) async {
        guard connection.isOpen, connection.isIdleOutsideTransaction else {
            await connection.close()
            self.handBack(nil)
            return
        }
        if let leftover = self.handBack(connection, lastUsed: lastUsed) {
            await leftover.close()
        }
    }

    /// Gives a slot (with or without a connection) to a waiter or back to the pool; returns a connection to close.
    @discardableResult
    private func handBack(_ connection: PostgresConnection?, lastUsed: ContinuousClock.Instant? = nil) -> PostgresConnection? {
        switch self.state.withLock({ $0.release(connection, now: .now, lastUsed: lastUsed) }) {
        case .resume(let continuation, let grant):
            continuation.resume(returning: grant)
            return nil
        case .close(let connection):
            return connection
        case .parked, .freed:
            return nil
        }
    }

    /// Pings idle connections that have not been used for `healthCheckInterval`; closes those idle past `idleTimeout`.
    public func checkIdleConnections() async {
        let now = ContinuousClock.now
        let stale = self.state.withLock { $0.takeIdle(uncheckedSince: now - self.configuration.healthCheckInterval) }
        for entry in stale {
            if entry.lastUsed < now - self.configuration.idleTimeout {
                await entry.connection.close()
                self.handBack(nil)
                continue
            }
            do {
                try await entry.connection.query("select 1")
                await self.giveBack(entry.connection, lastUsed: entry.lastUsed)
            } catch {
                self.logger.info(
                    "closing an idle connection that failed its health check",
                    metadata: ["error": .string(DatabaseError.loggable(error))]
                )
                await entry.connection.close()
                self.handBack(nil)
            }
        }
    }

    /// Health-checks idle connections until graceful shutdown, then closes the pool.
    public func run() async throws {
        let tick = min(self.configuration.healthCheckInterval, self.configuration.idleTimeout) / 2
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: max(tick, .milliseconds(100)))
                }
            } catch {
                break
            }
            await self.checkIdleConnections()
        }
        await self.close()
    }

    /// Stops leasing, fails waiters, closes idle connections, waits (up to the grace period) for
    /// leased ones to come back, then stops the pool's threads. Safe to call more than once.
    public func close() async {
        let (alreadyClosed, idle, waiters) = self.state.withLock { state in
            let wasClosed = state.isClosed
            let taken = state.close()
            return (wasClosed, taken.idle, taken.waiters)
        }
        for waiter in waiters {
            waiter.resume(throwing: DatabaseError.poolClosed)
        }
        for connection in idle {
            await connection.close()
        }
        if alreadyClosed { return }
        let deadline = ContinuousClock.now + self.configuration.shutdownGracePeriod
        while self.state.withLock({ $0.slots }) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if self.state.withLock({ $0.slots }) > 0 {
            // Statements still running after the grace period are cancelled, so shutdown is bounded.
            let running = self.leased.withLock { Array($0.values) }
            self.logger.warning("cancelling statements still running at shutdown", metadata: ["leased": "\(running.count)"])
            for connection in running {
                connection.cancelRunningStatement()
            }
            let cancelDeadline = ContinuousClock.now + .seconds(5)
            while self.state.withLock({ $0.slots }) > 0, ContinuousClock.now < cancelDeadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
