import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Pipelined statements")
struct PipelineTests {
    @Test("several statements in one round trip answer in order, with their bound values")
    func inOrder() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 1) { database in
            try await TransactionTests.makeTables(database.pool)
            let results = try await database.pool.withConnection { connection in
                try await connection.pipeline([
                    "insert into household values (\(1), \("h1"), \(3))", "select code from household where id = \(1)", "select \(42)::int as n",
                ])
            }
            #expect(results.count == 3)
            #expect(results[0].affectedRows == 1)
            #expect(try results[1].first?.decode("code", as: String.self) == "h1")
            #expect(try results[2].first?.decode("n", as: Int.self) == 42)
        }
    }

    @Test("the failing statement's error is thrown, later ones are skipped, the connection stays usable")
    func errorSkipsTheRest() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 1) { database in
            try await TransactionTests.makeTables(database.pool)
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.pipeline([
                        "insert into household values (\(1), \("h1"), \(3))", "insert into household values (\(2), \("h1"), \(3))",
                        "insert into household values (\(3), \("h3"), \(3))",
                    ])
                }
            }
            #expect(error?.sqlState == "23505")
            // Outside a block the pipeline is one implicit transaction: nothing stays.
            let count = try await database.pool.query("select count(*) as n from household")
            #expect(try count.first?.decode("n", as: Int.self) == 0)
        }
    }

    @Test("queryAndCommit commits with the last statement; a failing one rolls the whole transaction back")
    func lastStatementWithCommit() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 2) { database in
            try await TransactionTests.makeTables(database.pool)
            try await database.pool.withTransaction(settings: [(name: "liushou.test", value: "x")]) { transaction in
                try await transaction.query("insert into household values (1, 'h1', 3)")
                try await transaction.queryAndCommit("insert into member values (\(1), \(1))")
            }
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("insert into household values (2, 'h2', 3)")
                    try await transaction.queryAndCommit("insert into member values (\(2), \(99))")
                }
            }
            #expect(error?.sqlState == "23503")
            let households = try await database.pool.query("select id from household order by id").map { try $0.decode("id", as: Int.self) }
            #expect(households == [1])
            let members = try await database.pool.query("select count(*) as n from member")
            #expect(try members.first?.decode("n", as: Int.self) == 1)
            // The connection went back to the pool clean: a new transaction works on it.
            let idle = try await database.pool.withTransaction { transaction in
                try await transaction.query("select 1 as one").first?.decode("one", as: Int.self)
            }
            #expect(idle == 1)
        }
    }
}
