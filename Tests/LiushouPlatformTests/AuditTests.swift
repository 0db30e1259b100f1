import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
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
            #expect(report.rows == 1)
            #expect(report.problem?.contains("row 2 was altered") == true)
        }
    }

    @Test("verification detects a deleted row")
    func deletedRow() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.produceEntries(database)
            try await database.pool.query("alter table audit_log disable trigger audit_log_no_update")
            try await database.pool.query("delete from audit_log where chain_position = 3")
            let report = try await AuditVerifier(pool: database.pool).verify()
            #expect(report.problem?.contains("row 3 is missing") == true)
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
