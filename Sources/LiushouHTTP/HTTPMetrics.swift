import LiushouPostgres
import Prometheus

/// The server's Prometheus metrics: requests and durations by route template and status, and
/// the connection pool's size, in-use and waiting counts (read at scrape time).
public final class HTTPMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let pool: PostgresConnectionPool

    private static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "liushou",
            subsystem: "http",
            metricName: "requests",
            unitName: "total",
            helpText: "HTTP requests by method, route template and status."
        )
    }
    private static var duration: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "liushou",
            subsystem: "http",
            metricName: "request_duration",
            unitName: "seconds",
            helpText: "HTTP request duration by method and route template."
        )
    }
    private static var connections: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "liushou",
            subsystem: "db_pool",
            metricName: "connections",
            unitName: "count",
            helpText: "Database pool connections by state (open, in_use, idle) and the pool's maximum."
        )
    }
    private static var waiting: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "liushou",
            subsystem: "db_pool",
            metricName: "waiting",
            unitName: "count",
            helpText: "Callers waiting for a database connection."
        )
    }
    private static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    /// Metrics for a server using `pool`.
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// Records one finished request.
    func record(method: String, route: String, status: Int, duration: Duration) {
        self.registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))])
            .increment()
        self.registry.makeDurationHistogram(descriptor: Self.duration, labels: [("method", method), ("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    /// The exposition text, with pool gauges refreshed.
    public func render() -> String {
        let statistics = self.pool.statistics
        let states: [(String, Int)] = [
            ("open", statistics.open), ("in_use", statistics.inUse), ("idle", statistics.idle),
            ("max", self.pool.configuration.maxConnections),
        ]
        for (state, value) in states {
            self.registry.makeGauge(descriptor: Self.connections, labels: [("state", state)]).set(Double(value))
        }
        self.registry.makeGauge(descriptor: Self.waiting).set(Double(statistics.waiting))
        return self.registry.emitToString()
    }
}
