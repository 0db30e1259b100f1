import EmbeddedPostgres
import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP
import LiushouMigrations
import LiushouPostgres
import NIOCore

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`.
public struct OperationsController: Sendable {
    let pool: PostgresConnectionPool
    let catalog: MigrationCatalog
    let metrics: HTTPMetrics
    let clusterStatus: (@Sendable () -> ClusterStatus)?
    let readReplica: ReadReplica?
    private let probe: ReadinessProbe<[Int]>

    /// `/readyz` answers within `readinessDeadline`, whatever the database does.
    static let readinessDeadline = Duration.milliseconds(900)
    /// Refusals of writes (disk full, read-only server, …) this recent make the server not ready.
    static let writeFailureWindow = Duration.seconds(30)

    /// The controller; `clusterStatus` reports the embedded cluster's supervisor, when there is one.
    public init(
        pool: PostgresConnectionPool,
        catalog: MigrationCatalog,
        metrics: HTTPMetrics,
        clusterStatus: (@Sendable () -> ClusterStatus)? = nil,
        readReplica: ReadReplica? = nil
    ) {
        self.pool = pool
        self.catalog = catalog
        self.metrics = metrics
        self.clusterStatus = clusterStatus
        self.readReplica = readReplica
        self.probe = ReadinessProbe {
            let rows = try await pool.query(
                """
                select coalesce(array_agg(version order by version), '{}') as versions
                from liushou_schema_migrations
                """
            )
            return try rows.first?.decode("versions", as: [Int].self) ?? []
        }
    }

    /// Adds the routes (all open: probes and scrapers do not log in).
    public func addRoutes(to routes: SecuredRoutes) {
        routes.open(.get, "/healthz") { _, _ in Health(status: "ok") }
        routes.open(.get, "/readyz") { _, _ in try await self.readiness() }
        routes.open(.get, "/metrics") { _, _ in
            Self.text(
                self.metrics.render() + self.availabilityMetrics() + (await self.outboxMetrics()),
                contentType: "text/plain; version=0.0.4; charset=utf-8"
            )
        }
        routes.open(.get, "/openapi.yaml") { _, _ in
            Self.text(try OpenAPIDocument.text(), contentType: "application/yaml; charset=utf-8")
        }
    }

    struct Health: ResponseEncodable {
        var status: String
    }

    struct Readiness: ResponseEncodable {
        struct Migrations: Encodable {
            var applied: Int
            var known: Int
        }

        var status: String
        var database: String
        var writes: String
        var embeddedDatabase: String?
        var migrations: Migrations
        /// The read replica, when one is configured: `in_use` or `bypassed` (too stale or failing;
        /// reads go to the primary), and how old its data may be now.
        var readReplica: ReplicaState?
    }

    struct ReplicaState: Encodable {
        var state: String
        var standby: Bool?
        var stalenessMaxSeconds: Double?
    }

    private func readiness() async throws -> Readiness {
        var extensions: [String: String] = [:]
        let cluster = self.clusterStatus?()
        if let cluster {
            extensions["embeddedDatabase"] = cluster.state.rawValue
            extensions["embeddedDatabaseRestarts"] = String(cluster.restarts)
        }
        if let cluster, cluster.state == .restarting {
            throw Self.notReady("The embedded PostgreSQL stopped running and is being started again.", extensions)
        }
        let versions: [Int]
        do {
            guard let answered = try await self.probe.result(within: Self.readinessDeadline) else {
                throw Self.notReady("The database did not answer within 1 s.", extensions)
            }
            versions = answered
        } catch let error as DatabaseError {
            if case .server(let state, _) = error, state == "42P01" {
                throw Self.notReady("The database has no migrations applied yet.", extensions)
            }
            throw Self.notReady("The database is not reachable.", extensions)
        }
        let known = self.catalog.migrations.map(\.version)
        guard Set(known).isSubset(of: Set(versions)) else {
            throw Self.notReady("Migrations are pending: \(known.count - Set(known).intersection(versions).count) to apply.", extensions)
        }
        let failures = self.pool.failures.counts(within: Self.writeFailureWindow)
        guard failures.isEmpty else {
            let classes = failures.sorted { $0.key < $1.key }.map { "class \($0.key): \($0.value)" }.joined(separator: ", ")
            extensions["writes"] = "failing"
            throw Self.notReady("Writes are failing (SQLSTATE \(classes) in the last 30 s; disk full or a read-only server?).", extensions)
        }
        return Readiness(
            status: "ready",
            database: "reachable",
            writes: "ok",
            embeddedDatabase: cluster?.state.rawValue,
            migrations: .init(applied: versions.count, known: known.count),
            readReplica: self.readReplica.map { replica in
                let monitor = replica.monitor
                return ReplicaState(
                    state: monitor.usableStaleness() == nil ? "bypassed" : "in_use",
                    standby: monitor.replicaIsStandby,
                    stalenessMaxSeconds: monitor.stalenessBound().map(Self.seconds)
                )
            }
        )
    }

    private static func notReady(_ detail: String, _ extensions: [String: String] = [:]) -> Problem {
        Problem(status: .serviceUnavailable, code: "not_ready", title: "Not ready", detail: detail, extensions: extensions, retryAfterSeconds: 5)
    }

    /// Prometheus lines for the embedded cluster's supervisor and refused writes.
    private func availabilityMetrics() -> String {
        var lines: [String] = []
        if let cluster = self.clusterStatus?() {
            lines += [
                "# TYPE liushou_embedded_postgres_up gauge",
                "liushou_embedded_postgres_up \(cluster.state == .running ? 1 : 0)",
                "# TYPE liushou_embedded_postgres_restarts_total counter",
                "liushou_embedded_postgres_restarts_total \(cluster.restarts)",
            ]
        }
        lines.append("# TYPE liushou_database_write_failures gauge")
        let failures = self.pool.failures.counts(within: Self.writeFailureWindow)
        for sqlStateClass in ["25", "53", "58"] {
            lines.append("liushou_database_write_failures{sqlstate_class=\"\(sqlStateClass)\",window=\"30s\"} \(failures[sqlStateClass] ?? 0)")
        }
        if let monitor = self.readReplica?.monitor {
            lines += [
                "# HELP liushou_read_replica_in_use Whether reads go to the read replica (1) or to the primary (0).",
                "# TYPE liushou_read_replica_in_use gauge",
                "liushou_read_replica_in_use \(monitor.usableStaleness() == nil ? 0 : 1)",
                "# HELP liushou_read_replica_staleness_seconds How old the replica's data may be (absent: unknown).",
                "# TYPE liushou_read_replica_staleness_seconds gauge",
            ]
            if let bound = monitor.stalenessBound() {
                lines.append("liushou_read_replica_staleness_seconds \(Self.seconds(bound))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// The alert outbox: deliveries pending and dead, and the wait of the oldest due one (nothing when
    /// the database does not answer: the availability gauges above say why).
    private func outboxMetrics() async -> String {
        guard let row = try? await self.pool.query("select pending, dead, oldest_due_seconds from alert_outbox_stats()").first,
            let pending = try? row.decode("pending", as: Int.self), let dead = try? row.decode("dead", as: Int.self),
            let oldest = try? row.decode("oldest_due_seconds", as: Double.self)
        else { return "" }
        return [
            "# HELP liushou_alert_deliveries Outside alert deliveries by status (pending: waiting or being sent; dead: given up).",
            "# TYPE liushou_alert_deliveries gauge",
            "liushou_alert_deliveries{status=\"pending\"} \(pending)",
            "liushou_alert_deliveries{status=\"dead\"} \(dead)",
            "# HELP liushou_alert_oldest_due_seconds How long the oldest due delivery has waited.",
            "# TYPE liushou_alert_oldest_due_seconds gauge",
            "liushou_alert_oldest_due_seconds \(oldest)",
        ].joined(separator: "\n") + "\n"
    }

    private static func text(_ text: String, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
