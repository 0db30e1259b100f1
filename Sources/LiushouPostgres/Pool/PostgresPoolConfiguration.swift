/// Settings of a connection pool.
public struct PostgresPoolConfiguration: Sendable {
    /// libpq connection string or URL (multi-host URLs with `target_session_attrs` work as in libpq).
    public var conninfo: String
    /// Upper bound on open connections.
    public var maxConnections: Int
    /// How long `acquire` waits for a free connection before failing with `poolExhausted`.
    public var acquireTimeout: Duration
    /// Idle connections unused for this long are pinged by the pool's `run()` loop.
    public var healthCheckInterval: Duration
    /// Idle connections unused for this long are closed by the pool's `run()` loop.
    public var idleTimeout: Duration
    /// How long shutdown waits for leased connections to come back before closing regardless.
    public var shutdownGracePeriod: Duration
    /// libpq's `connect_timeout` for each host (whole seconds, at least 2).
    public var connectTimeout: Duration
    /// `statement_timeout` of queries and `.standard` transactions; `nil` leaves the server's setting
    /// and waits for answers as long as they take.
    public var statementTimeout: Duration?
    /// `statement_timeout` of `.bulk` transactions (imports, batches); `nil` as above.
    public var bulkStatementTimeout: Duration?
    /// How long past a statement timeout a call still waits for the server before closing the
    /// connection as hung (the server's own timeout fires first when it is alive).
    public var answerGrace: Duration

    /// Defaults suited to one app server.
    public init(
        conninfo: String,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        healthCheckInterval: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(300),
        shutdownGracePeriod: Duration = .seconds(10),
        connectTimeout: Duration = .seconds(10),
        statementTimeout: Duration? = nil,
        bulkStatementTimeout: Duration? = nil,
        answerGrace: Duration = .seconds(2)
    ) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.healthCheckInterval = healthCheckInterval
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
        self.connectTimeout = connectTimeout
        self.statementTimeout = statementTimeout
        self.bulkStatementTimeout = bulkStatementTimeout
        self.answerGrace = answerGrace
    }

    /// How long a call of a transaction of `kind` waits for an answer before giving up on the connection.
    func answerTimeout(for kind: TransactionKind) -> Duration? {
        self.statementTimeout(for: kind).map { $0 + self.answerGrace }
    }

    func statementTimeout(for kind: TransactionKind) -> Duration? {
        switch kind {
        case .standard: return self.statementTimeout
        case .bulk: return self.bulkStatementTimeout ?? self.statementTimeout
        }
    }
}

/// How long a transaction's statements may run.
public enum TransactionKind: Sendable {
    /// Reads and single writes: the pool's `statementTimeout`.
    case standard
    /// Imports and offline batches: the pool's `bulkStatementTimeout`.
    case bulk
}

/// A point-in-time view of a pool, for metrics.
public struct PostgresPoolStatistics: Sendable, Equatable {
    /// Connections open or being opened.
    public var open: Int
    /// Connections leased to callers (including ones being opened for a caller).
    public var inUse: Int
    /// Idle connections ready to lease.
    public var idle: Int
    /// Callers waiting for a connection.
    public var waiting: Int
}
