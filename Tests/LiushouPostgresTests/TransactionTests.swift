import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Transactions and server errors")
struct TransactionTests {
    struct Boom: Error {}

    static func makeTables(_ pool: PostgresConnectionPool) async throws {
        try await pool.query("create table household (id int primary key, code text not null unique, size int not null check (size > 0))")
        try await pool.query("create table member (id int primary key, household_id int not null references household(id))")
    }

    @Test("a transaction commits when the body returns and rolls back when it throws")
    func commitAndRollback() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await Self.makeTables(database.pool)
            try await database.pool.withTransaction { transaction in
                try await transaction.query("insert into household values (1, 'h1', 3)")
            }
            await #expect(throws: Boom.self) {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("insert into household values (2, 'h2', 3)")
                    throw Boom()
                }
            }
            let ids = try await database.pool.query("select id from household order by id").map { try $0.decode("id", as: Int.self) }
            #expect(ids == [1])
        }
    }

    @Test("transaction-local settings are visible inside the transaction only")
    func localSettings() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 1) { database in
            let inside = try await database.pool.withTransaction(settings: [(name: "liushou.unit_path", value: "county.town1")]) { transaction in
                try await transaction.query("select current_setting('liushou.unit_path', true) as scope").first?.decode("scope", as: String?.self)
            }
            #expect(inside == "county.town1")
            let after = try await database.pool.query("select current_setting('liushou.unit_path', true) as scope")
            #expect(try after.first?.decode("scope", as: String?.self) ?? "" == "")
        }
    }

    @Test("a transaction whose statement failed and was swallowed does not report a commit")
    func abortedTransactionIsNotACommit() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await Self.makeTables(database.pool)
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("insert into household values (1, 'h1', 3)")
                    _ = try? await transaction.query("insert into household values (1, 'h1', 3)")
                }
            }
            #expect(error?.sqlState == "40000")
            let count = try await database.pool.query("select count(*) as n from household")
            #expect(try count.first?.decode("n", as: Int.self) == 0)
        }
    }

    @Test("constraint violations map to typed errors with the constraint name")
    func constraintErrors() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await Self.makeTables(database.pool)
            try await database.pool.query("insert into household values (1, 'h1', 3)")
            await #expect(throws: DatabaseError.uniqueViolation(constraint: "household_code_key", table: "household")) {
                try await database.pool.query("insert into household values (2, 'h1', 3)")
            }
            await #expect(throws: DatabaseError.uniqueViolation(constraint: "household_pkey", table: "household")) {
                try await database.pool.query("insert into household values (1, 'h9', 3)")
            }
            await #expect(throws: DatabaseError.checkViolation(constraint: "household_size_check", table: "household")) {
                try await database.pool.query("insert into household values (3, 'h3', 0)")
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "member_household_id_fkey", table: "member")) {
                try await database.pool.query("insert into member values (1, 42)")
            }
            await #expect(throws: DatabaseError.notNullViolation(column: "code", table: "household")) {
                try await database.pool.query("insert into household (id, size) values (5, 1)")
            }
            let syntax = await #expect(throws: DatabaseError.self) { try await database.pool.query("selec 1") }
            #expect(syntax?.sqlState == "42601")
            // The pool keeps working after errors.
            let count = try await database.pool.query("select count(*) as n from household")
            #expect(try count.first?.decode("n", as: Int.self) == 1)
        }
    }

    @Test("a serialization failure is typed as retryable, and a retried transaction succeeds")
    func serializationFailure() async throws {
        try await TestPostgres.withDatabase(migrated: false, maxConnections: 3) { database in
            try await database.pool.query("create table counter (id int primary key, value int not null)")
            try await database.pool.query("insert into counter values (1, 0)")
            // Two serializable transactions read then write the same row; the second to commit must fail.
            let error: DatabaseError? = try await database.pool.withConnection { first in
                try await database.pool.withConnection { second in
                    try await first.query("begin isolation level serializable")
                    try await second.query("begin isolation level serializable")
                    try await first.query("select value from counter where id = 1")
                    try await second.query("select value from counter where id = 1")
                    try await first.query("update counter set value = value + 1 where id = 1")
                    try await first.query("commit")
                    var caught: DatabaseError? = nil
                    do {
                        try await second.query("update counter set value = value + 1 where id = 1")
                    } catch let error as DatabaseError {
                        caught = error
                    }
                    try await second.query("rollback")
                    return caught
                }
            }
            #expect(error == .serializationFailure)
            #expect(error?.isRetryable == true)
            // withTransaction retries a retryable failure.
            let attempts = Counter()
            try await database.pool.withTransaction(level: .serializable, maxAttempts: 3) { transaction in
                if attempts.increment() == 1 { throw DatabaseError.serializationFailure }
                try await transaction.query("update counter set value = value + 1 where id = 1")
            }
            #expect(attempts.value == 2)
            let value = try await database.pool.query("select value from counter where id = 1")
            #expect(try value.first?.decode("value", as: Int.self) == 2)
        }
    }
}

/// A counter mutated from one task at a time in these tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() -> Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        self.count += 1
        return self.count
    }

    var value: Int {
        self.lock.lock()
        defer { self.lock.unlock() }
        return self.count
    }
}

@Suite("Error descriptions")
struct ErrorDescriptionTests {
    @Test("redacted descriptions drop the values PostgreSQL quotes in its messages")
    func redaction() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("select \("11010519491231002X")::uuid")
            }
            #expect(error?.description.contains("11010519491231002X") == true)
            #expect(error?.redactedDescription.contains("11010519491231002X") == false)
            #expect(error?.sqlState == "22P02", "\(error?.redactedDescription ?? "")")
            // A value starting with a combining mark joins PostgreSQL's opening quote into one Character.
            let marked = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("select \("\u{301}11010519491231002X")::uuid")
            }
            #expect(marked?.description.contains("11010519491231002X") == true)
            #expect(marked?.redactedDescription.contains("11010519491231002X") == false, "\(marked?.redactedDescription ?? "")")
            // PostgreSQL does not escape a quote inside the value it quotes.
            let quoted = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("select \("1101\"05194912\"31002X")::uuid")
            }
            #expect(quoted?.description.contains("31002X") == true)
            let redacted = quoted?.redactedDescription ?? ""
            #expect(!redacted.contains("1101") && !redacted.contains("05194912") && !redacted.contains("31002X"), "\(redacted)")
            #expect(redacted.contains("invalid input syntax for type uuid"), "\(redacted)")
            // A description that quotes no input (a column name) is kept whole.
            let column = DatabaseError.columnNotFound("birth_date")
            #expect(column.redactedDescription == column.description)
        }
    }
}
