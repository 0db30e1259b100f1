import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    @Test("bulk rows arrive intact, including NULLs, tabs, newlines, backslashes and Chinese text")
    func bulkLoad() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await database.pool.query("create table visit (id uuid primary key, n int8 not null, note text, at timestamptz, payload bytea)")
            let tricky = "line1\nline2\ttab \\ back 留守老人 🙂 \\N"
            let moment = Date(timeIntervalSince1970: 1_700_000_000.5)
            var rows: [[(any PostgresEncodable)?]] = []
            var firstID = UUID()
            for index in 0..<20_000 {
                let id = UUID()
                if index == 0 { firstID = id }
                rows.append([id, index, index == 0 ? tricky : (index % 3 == 0 ? nil : "note \(index)"), moment, Data([0, 9, 10, 92])])
            }
            let copied = try await database.pool.withTransaction { transaction in
                try await transaction.copyIn(table: "public.visit", columns: ["id", "n", "note", "at", "payload"], rows: rows)
            }
            #expect(copied == 20_000)
            let summary = try #require(
                try await database.pool.query(
                    """
                    select count(*) as total, count(note) as with_note, sum(n) as sum from visit
                    """
                ).first
            )
            #expect(try summary.decode("total", as: Int.self) == 20_000)
            #expect(try summary.decode("with_note", as: Int.self) == 20_000 - (20_000 / 3) + 0)
            #expect(try summary.decode("sum", as: Decimal.self) == Decimal((0..<20_000).reduce(0, +)))
            let first = try #require(try await database.pool.query("select note, at, payload from visit where id = \(firstID)").first)
            #expect(try first.decode("note", as: String.self) == tricky)
            #expect(try first.decode("at", as: Date.self) == moment)
            #expect(try first.decode("payload", as: Data.self) == Data([0, 9, 10, 92]))
        }
    }

    @Test("a bad row aborts the whole COPY with a typed error and loads nothing")
    func badRow() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await database.pool.query("create table item (id int8 primary key)")
            await #expect(throws: DatabaseError.uniqueViolation(constraint: "item_pkey", table: "item")) {
                try await database.pool.withConnection { connection in
                    try await connection.copyIn(table: "item", columns: ["id"], rows: [[1], [2], [1]])
                }
            }
            await #expect(throws: DatabaseError.self) {
                try await database.pool.withConnection { connection in
                    try await connection.copyIn(table: "item", columns: ["id"], rows: [[1, 2]])
                }
            }
            let count = try await database.pool.query("select count(*) as n from item")
            #expect(try count.first?.decode("n", as: Int.self) == 0)
        }
    }
}
