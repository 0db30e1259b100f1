import LiushouPostgres
import LiushouTestSupport
import Testing

/// COMMIT under synchronous replication, on a private cluster whose synchronous standby never
/// comes (`synchronous_standby_names` names nobody): every commit that wrote waits for it.
@Suite("Synchronous commit")
struct SynchronousCommitTests {
    /// Runs `body` with a pool on a cluster where every writing COMMIT waits for a missing standby,
    /// and a second pool to watch and cancel those waits.
    static func withWaitingCommits(_ body: (PostgresConnectionPool, PostgresConnectionPool) async throws -> Void) async throws {
        try await TestPostgres.withPrivateCluster { _, url in
            let admin = PostgresConnectionPool(configuration: .init(conninfo: url, maxConnections: 2), logger: TestPostgres.logger)
            // The test cluster runs with synchronous_commit off (its command line); these sessions turn it on.
            let waiting = url + (url.contains("?") ? "&" : "?") + "options=-c%20synchronous_commit%3Don"
            let pool = PostgresConnectionPool(configuration: .init(conninfo: waiting, maxConnections: 2), logger: TestPostgres.logger)
            try await admin.query("create table written (id integer primary key)")
            try await admin.query("alter system set synchronous_standby_names = 'nobody'")
            try await admin.query("select pg_reload_conf()")
            // The reload reaches every backend at its next command; a fresh connection reads the new value.
            for _ in 0..<100 {
                let names = try await admin.query("select current_setting('synchronous_standby_names') as names").first?.decode(
                    "names",
                    as: String.self
                )
                if names == "nobody" { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await body(pool, admin)
            await pool.close()
            await admin.close()
        }
    }

    /// Waits until a backend waits for the standby (`SyncRep`), then cancels it as an operator or
    /// a pool's shutdown would; returns how many it cancelled.
    static func cancelWaitingCommits(_ admin: PostgresConnectionPool) async throws -> Int {
        for _ in 0..<200 {
            let cancelled =
                try await admin.query(
                    """
                    with waiting as materialized (select pid from pg_stat_activity where wait_event = 'SyncRep')
                    select count(*)::int as n from waiting where pg_cancel_backend(pid)
                    """
                ).first?.decode("n", as: Int.self) ?? 0
            if cancelled > 0 { return cancelled }
            try await Task.sleep(for: .milliseconds(25))
        }
        return 0
    }

    static func expectOneCancelled(_ admin: PostgresConnectionPool) async throws {
        let cancelled = try await Self.cancelWaitingCommits(admin)
        #expect(cancelled == 1)
    }

    static func expectUnknownOutcome<Success>(_ task: Task<Success, any Error>) async {
        let outcome = await task.result
        guard case .failure(let failure) = outcome, let error = failure as? DatabaseError else {
            Issue.record("expected a DatabaseError, got \(outcome)")
            return
        }
        #expect(error.sqlState == "08007", "\(error)")
        #expect(error.isUnavailable)
    }

    @Test("a COMMIT whose wait for the standby is cancelled fails as unknown (08007), not as committed")
    func cancelledWaitIsUnknown() async throws {
        try await Self.withWaitingCommits { pool, admin in
            // A transaction's COMMIT.
            let transaction = Task {
                try await pool.withTransaction { transaction in try await transaction.query("insert into written values (1)") }
            }
            try await Self.expectOneCancelled(admin)
            await Self.expectUnknownOutcome(transaction)
            // A single statement's implicit transaction, and a last statement sent with COMMIT.
            let single = Task { try await pool.query("insert into written values (2)") }
            try await Self.expectOneCancelled(admin)
            await Self.expectUnknownOutcome(single)
            let withCommit = Task {
                try await pool.withTransaction { transaction in try await transaction.queryAndCommit("insert into written values (3)") }
            }
            try await Self.expectOneCancelled(admin)
            await Self.expectUnknownOutcome(withCommit)
            // Why it must not count as stored: the rows are visible on the primary, replicated nowhere.
            let visible = try await admin.query("select count(*)::int as n from written").first?.decode("n", as: Int.self)
            #expect(visible == 3)
            // The connections carry on: a read needs no standby.
            let one = try await pool.query("select 1 as one").first?.decode("one", as: Int.self)
            #expect(one == 1)
        }
    }

    @Test("a transaction that only reads commits at once; one vouching for earlier rows waits for the standby")
    func vouchingWaits() async throws {
        try await Self.withWaitingCommits { pool, admin in
            let plain = try await pool.withTransaction { transaction in
                try await transaction.query("select count(*)::int as n from written").first?.decode("n", as: Int.self)
            }
            #expect(plain == 0)
            let vouching = Task {
                try await pool.withTransaction { transaction in
                    try await transaction.commitWaitsForStandby()
                    return try await transaction.query("select count(*)::int as n from written").first?.decode("n", as: Int.self)
                }
            }
            try await Self.expectOneCancelled(admin)
            await Self.expectUnknownOutcome(vouching)
        }
    }
}
