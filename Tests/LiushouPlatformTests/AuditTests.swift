import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouMigrations
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Audit log")
struct AuditTests {
    /// Produces a few audited actions through the API.
    static func produceEntries(_ database: TestDatabase) async throws {
        let fixture = try await PlatformFixture.seed(database)
        try await PlatformApp.make(database).test(.router) { client in
            let token = try await client.login("town1.admin")
            _ = try await client.post("/v1/auth/login", json: ["username": "town1.admin", "password": "Wrong#pass1"])
            _ = try await client.post("/v1/units", json: ["kind": "grid", "name": "二组", "parentId": fixture.village1a.idString], token: token)
            _ = try await client.send(.post, "/v1/auth/logout", token: token)
        }
    }

    @Test("entries chain, and verification passes on an untouched log")
    func intact() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.produceEntries(database)
            let report = try await AuditVerifier(pool: database.pool).verify(pageSize: 2)
            #expect(report.rows == 4)
            #expect(report.problem == nil)
            let actions = try await database.pool.query("select action, result, request_id from audit_log order by chain_position")
            #expect(try actions.map { try $0.decode("action", as: String.self) } == ["login", "login", "unit.create", "logout"])
            #expect(try actions.allSatisfy { try $0.decode("request_id", as: String?.self)?.isEmpty == false })
        }
    }

    @Test("verification detects an edited row")
    func editedRow() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.produceEntries(database)
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            try await database.pool.query("update audit_log set result = 'success' where chain_position = 2")
            let report = try await AuditVerifier(pool: database.pool).verify()
            // Verified before it: the chains walked before row 2's, and the rows before it in its own.
            let before = try await database.pool.query(
                """
                select count(*)::int as n from audit_log a, audit_log e
                where e.chain_position = 2 and (a.chain < e.chain or (a.chain = e.chain and a.chain_position < 2))
                """
            ).first
            #expect(try report.rows == before?.decode("n", as: Int.self))
            #expect(report.problem?.contains("row 2 was altered") == true)
        }
    }

    @Test("verification detects a deleted row")
    func deletedRow() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.produceEntries(database)
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            // A row with a later row in its chain: the later row's link no longer matches.
            let row = try await database.pool.query(
                """
                select a.chain_position::int as n from audit_log a
                where exists (select from audit_log b where b.chain = a.chain and b.chain_position > a.chain_position)
                order by a.chain_position limit 1
                """
            ).first
            let position = try #require(try row?.decode("n", as: Int.self))
            try await database.pool.query("delete from audit_log where chain_position = \(position)")
            let report = try await AuditVerifier(pool: database.pool).verify()
            #expect(report.problem?.contains("a row between them is missing") == true, "\(report)")
            let inDatabase = try await database.pool.query("select problem from audit_log_verify()").first?.decode("problem", as: String?.self)
            #expect(inDatabase == report.problem)
        }
    }

    @Test("rows of different towns go to different chains, a town's rows to one; many towns appending at once fork none")
    func stripes() async throws {
        try await TestPostgres.withDatabase(maxConnections: 8) { database in
            let towns = (1...24).map { "c341122.t\($0)" }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<96 {
                    let path = towns[index % towns.count] + (index % 2 == 0 ? ".v1" : "")
                    group.addTask { () async throws -> Void in
                        try await database.appPool.withTransaction { transaction -> Void in
                            try await transaction.query(
                                """
                                insert into audit_log (action, resource, result, request_id, unit_path)
                                values ('test', 'probe', 'success', \("r\(index)"), \(path)::ltree)
                                """
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let report = try await AuditVerifier(pool: database.pool).verify(pageSize: 7)
            #expect(report.rows == 96 && report.problem == nil, "\(report)")
            let inDatabase = try await database.pool.query("select rows_checked::int as n, problem from audit_log_verify()").first
            #expect(try inDatabase?.decode("n", as: Int.self) == 96)
            #expect(try inDatabase?.decode("problem", as: String?.self) == nil)
            let chains = try await database.pool.query(
                """
                select count(distinct chain)::int as chains,
                    (select count(*)::int from (select subltree(unit_path, 0, 2) from audit_log group by 1 having count(distinct chain) > 1) t) as split
                from audit_log
                """
            ).first
            #expect(try chains?.decode("chains", as: Int.self) ?? 0 > 4, "24 towns spread over several chains")
            #expect(try chains?.decode("split", as: Int.self) == 0, "a town's rows (its own and its villages') share one chain")
            // Positions order the whole log; each chain's positions rise with its links.
            let unordered = try await database.pool.query(
                """
                select count(*)::int as n from audit_log a
                join audit_log b on b.chain = a.chain and b.prev_hash = a.hash
                where b.chain_position < a.chain_position
                """
            ).first
            #expect(try unordered?.decode("n", as: Int.self) == 0)
        }
    }

    @Test("a log written before the chains were striped verifies with the rows after; cutting its end short is caught")
    func upgradedLog() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await database.migrate(before: 29)
            func append(_ count: Int, town: Int) async throws {
                for index in 0..<count {
                    try await database.pool.query(
                        """
                        insert into audit_log (action, resource, result, request_id, unit_path)
                        values ('test', 'probe', 'success', \("t\(town)-\(index)"), \("c.t\(town)")::ltree)
                        """
                    )
                }
            }
            try await append(5, town: 1)
            try await Migrator(catalog: try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory()), logger: TestPostgres.logger).migrate(
                pool: database.pool
            )
            for town in 1...6 { try await append(3, town: town) }
            let intact = try await AuditVerifier(pool: database.pool).verify()
            #expect(intact.rows == 23 && intact.problem == nil, "\(intact)")
            let legacy = try await database.pool.query("select count(*)::int as n from audit_log where chain is null").first
            #expect(try legacy?.decode("n", as: Int.self) == 5)
            let key = AuditCheckpoint.Key(dataKey: String(repeating: "k", count: 40))
            let checkpoint = try #require(try await AuditCheckpoint.take(pool: database.pool, key: key))
            #expect(checkpoint.heads?.first?.chain == nil && checkpoint.heads?.first?.position == 5, "the old chain's head is signed too")
            #expect(checkpoint.position == 23)

            // The old chain's last row removed: the new chains no longer start where it ended.
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            try await database.pool.query("delete from audit_log where chain_position = 5")
            let report = try await AuditVerifier(pool: database.pool).verify()
            #expect(report.problem?.contains("rows 5…5 of the log before its chains were striped are missing") == true, "\(report)")
            let inDatabase = try await database.pool.query("select problem from audit_log_verify()").first?.decode("problem", as: String?.self)
            #expect(inDatabase == report.problem)
            let check = try await AuditCheckpoint.check(file: try checkpoint.line(), key: key, owner: database.pool)
            #expect(check.problem?.contains("row 5 is not the row the checkpoint") == true, "\(check)")
        }
    }

    @Test("a transaction's rows share its first row's chain, so two transactions appending to two towns in opposite order do not deadlock")
    func oneChainPerTransaction() async throws {
        try await TestPostgres.withDatabase(maxConnections: 8) { database in
            let paths = try await database.pool.query(
                """
                select distinct on (audit_log_stripe(p)) p::text as path
                from (select ('c.t' || n)::ltree as p from generate_series(1, 40) n) t order by audit_log_stripe(p), p limit 2
                """
            ).map { try $0.decode("path", as: String.self) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let order = index % 2 == 0 ? paths : paths.reversed()
                    group.addTask { () async throws -> Void in
                        try await database.appPool.withTransaction { transaction -> Void in
                            for path in order {
                                try await transaction.query(
                                    """
                                    insert into audit_log (action, resource, result, request_id, unit_path)
                                    values ('test', 'probe', 'success', \("r\(index)"), \(path)::ltree)
                                    """
                                )
                                try await transaction.query("select pg_sleep(0.01)")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let report = try await AuditVerifier(pool: database.pool).verify()
            #expect(report.rows == 40 && report.problem == nil, "\(report)")
            let mixed = try await database.pool.query(
                "select count(*)::int as n from (select request_id from audit_log group by 1 having count(distinct chain) > 1) t"
            ).first?.decode("n", as: Int.self)
            #expect(mixed == 0)
        }
    }

    @Test("an append that read a stale head (REPEATABLE READ) fails instead of forking its chain; the database's verify agrees")
    func staleHeadRefused() async throws {
        try await TestPostgres.withDatabase(maxConnections: 4) { database in
            try await database.pool.query("insert into audit_log (action, resource, result, unit_path) values ('test', 'a', 'success', 'c.t1')")
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.withTransaction(level: .repeatableRead) { transaction in
                    // The snapshot is taken here, before another transaction appends to the same chain.
                    _ = try await transaction.query("select count(*) from audit_log")
                    try await database.appPool.withTransaction { other in
                        try await other.query("insert into audit_log (action, resource, result, unit_path) values ('test', 'b', 'success', 'c.t1')")
                    }
                    try await transaction.query("insert into audit_log (action, resource, result, unit_path) values ('test', 'c', 'success', 'c.t1')")
                }
            }
            #expect(error.map { if case .uniqueViolation = $0 { return true } else { return false } } == true, "\(String(describing: error))")
            #expect(try await AuditVerifier(pool: database.pool).verify().problem == nil)
            // The database's own verify refuses a log whose chains lost their start.
            try await database.pool.query("alter table audit_chain_origin disable trigger audit_chain_origin_no_update")
            try await database.pool.query("delete from audit_chain_origin")
            let problem = try await database.pool.query("select problem from audit_log_verify()").first?.decode("problem", as: String?.self)
            #expect(problem == "the start of the audit log's chains is missing")
            #expect(try await AuditVerifier(pool: database.pool).verify().problem == "the start of the audit log's chains is missing")
        }
    }

    @Test("concurrent appends never fork the chain")
    func concurrentAppends() async throws {
        try await TestPostgres.withDatabase(maxConnections: 8) { database in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    group.addTask { () async throws -> Void in
                        try await database.appPool.withTransaction { transaction -> Void in
                            try await transaction.query(
                                """
                                insert into audit_log (chain_position, at, action, resource, result, request_id, prev_hash, hash)
                                values (0, now(), 'test', 'probe', 'success', \("r\(index)"), ''::bytea, ''::bytea)
                                """
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let report = try await AuditVerifier(pool: database.pool).verify()
            #expect(report.rows == 40)
            #expect(report.problem == nil)
        }
    }
}
