import EmbeddedPostgres
import Foundation
import LiushouPostgres
import LiushouTestSupport
import Synchronization
import Testing

@Suite("Outages: bounded waits, a supervised and locked embedded cluster")
struct OutageTests {
    /// Runs `body` and records how long it took, failing the test (without hanging it) past `limit`.
    static func timed(limit: Duration, _ body: @escaping @Sendable () async throws -> Void) async throws -> (Duration, (any Error)?) {
        let outcome = Mutex<(Duration, (any Error)?)?>(nil)
        let start = ContinuousClock.now
        let task = Task {
            do {
                try await body()
                outcome.withLock { $0 = (ContinuousClock.now - start, nil) }
            } catch {
                outcome.withLock { $0 = (ContinuousClock.now - start, error) }
            }
        }
        while ContinuousClock.now - start < limit, outcome.withLock({ $0 }) == nil {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let finished = outcome.withLock({ $0 }) else {
            Issue.record("still waiting after \(limit)")
            return (limit, nil)
        }
        _ = task
        return finished
    }

    @Test("the server's statement timeout cancels a slow statement; bulk transactions get the longer one")
    func statementTimeouts() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let pool = PostgresConnectionPool(
                configuration: .init(
                    conninfo: database.url,
                    maxConnections: 1,
                    statementTimeout: .milliseconds(300),
                    bulkStatementTimeout: .seconds(5)
                ),
                logger: TestPostgres.logger
            )
            let error = await #expect(throws: DatabaseError.self) { try await pool.query("select pg_sleep(2)") }
            #expect(error == .queryCanceled)
            #expect(error?.isUnavailable == true)
            try await pool.withTransaction(kind: .bulk) { transaction in
                try await transaction.query("select pg_sleep(0.5)")
            }
            await pool.close()
        }
    }

    @Test("with the database hung (SIGSTOP) a query and a new connection fail within their timeouts instead of waiting forever")
    func hungDatabase() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let pool = PostgresConnectionPool(
                configuration: .init(
                    conninfo: url,
                    maxConnections: 2,
                    acquireTimeout: .seconds(1),
                    connectTimeout: .seconds(2),
                    statementTimeout: .milliseconds(500),
                    answerGrace: .milliseconds(500)
                ),
                logger: TestPostgres.logger
            )
            try await pool.query("select 1")
            let frozen = try ClusterFaults.freeze(cluster)
            defer { ClusterFaults.resume(frozen) }
            let (pooled, pooledError) = try await Self.timed(limit: .seconds(8)) { try await pool.query("select 1") }
            // 0.5 s statement timeout + 0.5 s grace; the rest is slack for the whole suite at once (a hang would be 8 s).
            #expect(pooled < .seconds(5))
            #expect((pooledError as? DatabaseError)?.isUnavailable == true)
            let (fresh, freshError) = try await Self.timed(limit: .seconds(8)) { try await pool.query("select 1") }
            #expect(fresh < .seconds(6))
            #expect((freshError as? DatabaseError)?.isUnavailable == true)
            ClusterFaults.resume(frozen)
            try await pool.query("select 1")
            await pool.close()
        }
    }

    @Test("a postmaster.pid naming a live process that is not PostgreSQL is not adopted: the cluster starts")
    func stalePIDFile() async throws {
        try await TestPostgres.withPrivateCluster { cluster, _ in
            let port = try #require(cluster.listeningPort)
            try await cluster.stop()
            let impostor = Process()
            impostor.executableURL = URL(fileURLWithPath: "/bin/sleep")
            impostor.arguments = ["60"]
            try impostor.run()
            defer { impostor.terminate() }
            let pidFile = cluster.clusterDirectory.appendingPathComponent("postmaster.pid")
            try "\(impostor.processIdentifier)\n\(cluster.clusterDirectory.path)\n0\n\(port)\n\n127.0.0.1\n".write(
                to: pidFile,
                atomically: true,
                encoding: .utf8
            )

            let again = EmbeddedPostgres(configuration: cluster.configuration, logger: TestPostgres.logger)
            let url = try await again.start()
            let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: TestPostgres.logger)
            try await pool.query("select 1")
            await pool.close()
            try await again.stop()
        }
    }

    @Test("a second launcher on a data directory in use is refused with a clear message, and the first cluster keeps running")
    func oneServerPerDataDirectory() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let second = EmbeddedPostgres(configuration: cluster.configuration, logger: TestPostgres.logger)
            let error = await #expect(throws: EmbeddedPostgresError.self) { try await second.start() }
            #expect(error?.description.contains("only one server may run on a data directory") == true)
            let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: TestPostgres.logger)
            try await pool.query("select 1")
            await pool.close()
        }
    }

    @Test("when the postmaster is killed the service starts it again and counts the restart")
    func supervision() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let service = EmbeddedPostgresService(cluster: cluster, logger: TestPostgres.logger, checkInterval: .milliseconds(200))
            let running = Task { try await service.run() }
            defer { running.cancel() }
            try ClusterFaults.killPostmaster(cluster)
            let pool = PostgresConnectionPool(
                configuration: .init(conninfo: url, maxConnections: 1, connectTimeout: .seconds(2), statementTimeout: .seconds(2)),
                logger: TestPostgres.logger
            )
            var answered = false
            for _ in 0..<150 where !answered {
                try await Task.sleep(for: .milliseconds(200))
                guard cluster.status.restarts >= 1 else { continue }
                answered = (try? await pool.query("select 1")) != nil
            }
            #expect(answered)
            #expect(cluster.status.state == .running)
            await pool.close()
        }
    }

    @Test("refusals for want of resources are logged by SQLSTATE class; other errors are not")
    func writeFailures() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            await #expect(throws: DatabaseError.self) {
                try await database.pool.query("do $$ begin raise exception 'could not extend file' using errcode = '53100'; end $$")
            }
            await #expect(throws: DatabaseError.self) { try await database.pool.query("select * from no_such_table") }
            #expect(database.pool.failures.counts(within: .seconds(30)) == ["53": 1])
        }
    }
}
