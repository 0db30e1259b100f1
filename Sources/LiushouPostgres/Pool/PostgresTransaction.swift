import Synchronization

/// Isolation levels for `withTransaction`.
public enum TransactionIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// A connection inside an open transaction.
public struct PostgresTransaction: Sendable {
    /// The underlying connection, for APIs that take one.
    public let connection: PostgresConnection
    private let finished: FinishFlag

    init(connection: PostgresConnection) {
        self.connection = connection
        self.finished = FinishFlag()
    }

    /// Runs one statement inside the transaction.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresResult {
        try self.ensureOpen()
        return try await self.connection.query(query)
    }

    /// Runs several statements in one round trip (pipeline mode); results in order.
    public func pipeline(_ queries: [SQLQuery]) async throws -> [PostgresResult] {
        try self.ensureOpen()
        return try await self.connection.pipeline(queries)
    }

    /// Runs the transaction's last statement and COMMIT in one round trip. Nothing may run after it
    /// in this transaction; a failure rolls the whole transaction back as usual.
    @discardableResult
    public func queryAndCommit(_ query: SQLQuery) async throws -> PostgresResult {
        try self.ensureOpen()
        let results = try await self.connection.pipeline([query, "commit"])
        // COMMIT of a transaction that already failed answers ROLLBACK instead of raising an error.
        guard results.count == 2, results[1].commandTag == "COMMIT" else {
            throw DatabaseError.server(sqlState: "40000", message: "transaction was aborted by an earlier error and rolled back")
        }
        self.finished.set()
        return results[0]
    }

    /// Sets a transaction-local setting (`set_config(name, value, true)`), e.g. a row-level-security scope.
    public func setLocal(_ name: String, to value: String) async throws {
        try await self.connection.query("select set_config(\(name), \(value), true)")
    }

    /// Bulk-loads rows with COPY inside the transaction.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: [[(any PostgresEncodable)?]]) async throws -> Int {
        try self.ensureOpen()
        return try await self.connection.copyIn(table: table, columns: columns, rows: rows)
    }

    /// After `queryAndCommit` nothing more may run: it would run outside the transaction and its scope.
    private func ensureOpen() throws {
        if self.finished.isSet {
            throw DatabaseError.protocolFailure(message: "the transaction already committed with its last statement")
        }
    }

    static func run<Result>(
        isolation: isolated (any Actor)? = #isolation,
        on connection: PostgresConnection,
        level: TransactionIsolation,
        settings: [(name: String, value: String)],
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        let begin: SQLQuery = "begin isolation level \(unsafeRaw: level.rawValue)"
        let transaction = PostgresTransaction(connection: connection)
        do {
            if settings.isEmpty {
                try await connection.query(begin)
            } else {
                // BEGIN and all settings in one round trip.
                let calls = settings.map { setting -> SQLQuery in "set_config(\(setting.name), \(setting.value), true)" }
                try await connection.pipeline([begin, "select \(SQLQuery.joined(calls, separator: ", "))"])
            }
            let result = try await body(transaction)
            if transaction.isFinished { return result }
            let commit = try await connection.query("commit")
            // COMMIT of a transaction that already failed answers ROLLBACK instead of raising an error.
            guard commit.commandTag == "COMMIT" else {
                throw DatabaseError.server(sqlState: "40000", message: "transaction was aborted by an earlier error and rolled back")
            }
            return result
        } catch {
            if connection.isOpen {
                _ = try? await connection.query("rollback")
            }
            throw error
        }
    }
}

extension PostgresTransaction {
    var isFinished: Bool { self.finished.isSet }
}

/// Whether a transaction already committed (its last statement ran together with COMMIT).
final class FinishFlag: Sendable {
    private let value = Atomic<Bool>(false)

    func set() { self.value.store(true, ordering: .releasing) }

    var isSet: Bool { self.value.load(ordering: .acquiring) }
}
