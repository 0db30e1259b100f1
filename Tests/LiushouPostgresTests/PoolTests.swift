import EmbeddedPostgres
import Foundation
import LiushouPostgres
import LiushouTestSupport
import Logging
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test("acquire fails with poolExhausted after the timeout instead of hanging")
    func exhaustion() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 1, acquireTimeout: .milliseconds(300)) { database in
            // Timed from when the only connection is held (opening it may be slow with the whole suite running).
            let (error, waited): (DatabaseError?, Duration) = try await database.pool.withConnection { _ in
                let started = ContinuousClock.now
                do {
                    try await database.pool.query("select 1")
                    return (nil, ContinuousClock.now - started)
                } catch let error as DatabaseError {
                    return (error, ContinuousClock.now - started)
                }
            }
            #expect(error == .poolExhausted(maxConnections: 1, waitedMilliseconds: 300))
            #expect(waited >= .milliseconds(300))
            #expect(waited < .seconds(5))
            #expect(error?.description.contains("exhausted") == true)
            // The held connection came back: the pool works again.
            try await database.pool.query("select 1")
            #expect(database.pool.statistics.inUse == 0)
        }
    }

    @Test("many concurrent callers share a small pool and all succeed")
    func concurrency() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 3) { database in
            let total = try await withThrowingTaskGroup(of: Int.self) { group in
                for value in 0..<60 {
                    group.addTask {
                        try await database.pool.query("select \(value)::int8 + 0 * pg_backend_pid() as v").first!.decode("v", as: Int.self)
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(total == (0..<60).reduce(0, +))
            let statistics = database.pool.statistics
            #expect(statistics.inUse == 0)
            #expect(statistics.waiting == 0)
            #expect(statistics.open <= 3)
        }
    }

    @Test("a query after the backend was terminated succeeds on a fresh connection")
    func recoversFromTerminatedBackend() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 1) { database in
            let firstPID = try await database.pool.query("select pg_backend_pid() as pid").first!.decode("pid", as: Int.self)
            let killer = PostgresConnectionPool(configuration: .init(conninfo: database.url, maxConnections: 1), logger: TestPostgres.logger)
            let terminated = try await killer.query("select pg_terminate_backend(\(Int32(firstPID)), 5000) as done")
            await killer.close()
            #expect(try terminated.first?.decode("done", as: Bool.self) == true)
            let secondPID = try await database.pool.query("select pg_backend_pid() as pid").first!.decode("pid", as: Int.self)
            #expect(secondPID != firstPID)
        }
    }

    @Test("a query after PostgreSQL restarted succeeds on a fresh connection")
    func recoversFromRestart() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 2), logger: TestPostgres.logger)
            let before = try await pool.query("select pg_backend_pid() as pid").first!.decode("pid", as: Int.self)
            try await cluster.restart()
            let after = try await pool.query("select pg_backend_pid() as pid").first!.decode("pid", as: Int.self)
            #expect(after != before)
            await pool.close()
        }
    }

    @Test("while the server is down a query fails with connectionFailure, not a hang")
    func serverDown() async throws {
        try await TestPostgres.withPrivateCluster { cluster, url in
            let pool = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 1), logger: TestPostgres.logger)
            try await pool.query("select 1")
            try await cluster.stop()
            let error = await #expect(throws: DatabaseError.self) { try await pool.query("select 1") }
            guard case .connectionFailure = error else {
                Issue.record("expected connectionFailure, got \(String(describing: error))")
                return
            }
            #expect(pool.statistics.inUse == 0)
            await pool.close()
        }
    }

    @Test("a connection string libpq cannot parse fails without its password in the message")
    func unparsableURLHidesItsPassword() async throws {
        for conninfo in [
            "postgresql://liushou:s3cr3t-pw@[::1/liushou", "postgresql://liushou:s3cr3t%zz@127.0.0.1/liushou",
            "postgresql://liushou:s3cr3t%00pw@127.0.0.1/liushou", "host=127.0.0.1 password=s3cr3t pw port=5432",
            "host=127.0.0.1 password='s3cr3t pw port=5432",
        ] {
            let pool = PostgresConnectionPool(configuration: .init(conninfo: conninfo, maxConnections: 1), logger: TestPostgres.logger)
            let error = await #expect(throws: DatabaseError.self) { try await pool.query("select 1") }
            guard case .connectionFailure(let message) = error else {
                Issue.record("expected connectionFailure, got \(String(describing: error))")
                continue
            }
            #expect(!message.isEmpty && !message.contains("s3cr3t"), "\(message)")
            await pool.close()
        }
    }

    @Test("idle health checks replace connections the server dropped")
    func idleHealthCheck() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let pool = PostgresConnectionPool(
                configuration: .init(conninfo: database.url, maxConnections: 2, healthCheckInterval: .zero, idleTimeout: .seconds(60)),
                logger: TestPostgres.logger
            )
            let pid = try await pool.query("select pg_backend_pid() as pid").first!.decode("pid", as: Int.self)
            try await database.pool.query("select pg_terminate_backend(\(Int32(pid)), 5000)")
            await pool.checkIdleConnections()
            #expect(pool.statistics.idle == 0)
            #expect(pool.statistics.open == 0)
            try await pool.query("select 1")
            #expect(pool.statistics.idle == 1)
            await pool.close()
        }
    }

    @Test("close waits for leased connections, then refuses new work")
    func gracefulClose() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let pool = PostgresConnectionPool(configuration: .init(conninfo: database.url, maxConnections: 2), logger: TestPostgres.logger)
            try await pool.query("select 1")
            async let slow: PostgresResult = pool.query("select pg_sleep(0.3)")
            try await Task.sleep(for: .milliseconds(100))
            await pool.close()
            _ = try await slow
            #expect(pool.statistics.open == 0)
            await #expect(throws: DatabaseError.poolClosed) { try await pool.query("select 1") }
        }
    }

    @Test("multi-host connection strings skip an unreachable host")
    func multiHost() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            guard var components = URLComponents(string: database.url), let port = components.port, let host = components.host else {
                Issue.record("unexpected test URL shape")
                return
            }
            components.host = nil
            components.port = nil
            let credentials = "\(components.user ?? ""):\(components.password ?? "")@"
            let multi =
                "postgresql://\(credentials)127.0.0.1:1,\(host):\(port)\(components.path)?sslmode=disable&target_session_attrs=read-write&connect_timeout=10"
            let pool = PostgresConnectionPool(configuration: .init(conninfo: multi, maxConnections: 1), logger: TestPostgres.logger)
            let row = try await pool.query("select current_database() as db, pg_is_in_recovery() as standby").first
            #expect(try row?.decode("db", as: String.self) == database.name)
            #expect(try row?.decode("standby", as: Bool.self) == false)
            await pool.close()
        }
    }
}

@Suite("Connection pool idle timeout")
struct PoolIdleTimeoutTests {
    @Test("health checks do not keep an unused connection alive past the idle timeout")
    func idleTimeoutCloses() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let pool = PostgresConnectionPool(
                configuration: .init(conninfo: database.url, maxConnections: 2, healthCheckInterval: .zero, idleTimeout: .seconds(2)),
                logger: TestPostgres.logger
            )
            try await pool.query("select 1")
            // Margins of seconds, not milliseconds: under a parallel test run a sleep can overshoot by hundreds of ms.
            try await Task.sleep(for: .milliseconds(100))
            await pool.checkIdleConnections()
            #expect(pool.statistics.idle == 1, "a recently used connection survives its health check")
            try await Task.sleep(for: .milliseconds(2300))
            await pool.checkIdleConnections()
            #expect(pool.statistics.open == 0, "an unused connection is closed once idle past the timeout")
            await pool.close()
        }
    }
}

@Suite("Connection pool shutdown")
struct PoolShutdownTests {
    @Test("statements still running after the grace period are cancelled, so close() is bounded")
    func closeCancelsLongStatements() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let pool = PostgresConnectionPool(
                configuration: .init(conninfo: database.url, maxConnections: 1, shutdownGracePeriod: .milliseconds(300)),
                logger: TestPostgres.logger
            )
            try await pool.query("select 1")
            async let stuck: DatabaseError? = {
                do {
                    try await pool.query("select pg_sleep(30)")
                    return nil
                } catch let error as DatabaseError {
                    return error
                } catch {
                    return nil
                }
            }()
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            await pool.close()
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(await stuck == .queryCanceled)
        }
    }
}
