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

    /// Defaults suited to one app server.
    public init(
        conninfo: String,
        maxConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        healthCheckInterval: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(300),
        shutdownGracePeriod: Duration = .seconds(10)
    ) {
        self.conninfo = conninfo
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.healthCheckInterval = healthCheckInterval
        self.idleTimeout = idleTimeout
        self.shutdownGracePeriod = shutdownGracePeriod
    }
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
