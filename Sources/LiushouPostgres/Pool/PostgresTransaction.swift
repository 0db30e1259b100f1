import Synchronization

/// Isolation levels for `withTransaction`.
public enum TransactionIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

/// A connection inside an open transaction.
///
/// BEGIN and the transaction's settings are not sent on their own: they travel in the same round
/// trip as the first statement (libpq pipeline mode), and a transaction that runs no statement
/// sends nothing at all.
public struct PostgresTransaction: Sendable {
    /// The underlying connection, for APIs that take one.
    public let connection: PostgresConnection
    private let state: TransactionState

    init(connection: PostgresConnection, prelude: [SQLQuery]) {
        self.connection = connection
        self.state = TransactionState(prelude: prelude)
    }

    /// Runs one statement inside the transaction.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresResult {
        let prelude = try self.state.takePrelude()
        if prelude.isEmpty { return try await self.connection.query(query) }
        return try await self.connection.pipeline(prelude + [query])[prelude.count]
    }

    /// Runs several statements in one round trip (pipeline mode); results in order.
    public func pipeline(_ queries: [SQLQuery]) async throws -> [PostgresResult] {
        let prelude = try self.state.takePrelude()
        return Array(try await self.connection.pipeline(prelude + queries).dropFirst(prelude.count))
    }

    /// Runs the transaction's last statement and COMMIT in one round trip. Nothing may run after it
    /// in this transaction; a failure rolls the whole transaction back as usual.
    @discardableResult
    public func queryAndCommit(_ query: SQLQuery) async throws -> PostgresResult {
        let prelude = try self.state.takePrelude()
        let results = try await self.connection.pipeline(prelude + [query, "commit"])
        // COMMIT of a transaction that already failed answers ROLLBACK instead of raising an error.
        guard results.count == prelude.count + 2, results[prelude.count + 1].commandTag == "COMMIT" else {
            throw DatabaseError.server(sqlState: "40000", message: "transaction was aborted by an earlier error and rolled back")
        }
        self.state.finish()
        return results[prelude.count]
    }

    /// Makes the transaction's COMMIT wait, as every write's does, for the synchronous standby, by
    /// writing a transactional WAL message (no table; an id alone writes no WAL and does not wait).
    /// For an answer that vouches for rows committed earlier (a retry answered "already stored")
    /// when nothing else in the transaction writes: a row can be visible on the primary before a
    /// standby has it (its writer's wait for the standby was cancelled, or the primary restarted
    /// and recovered it), and a failover then would lose it. The standby confirms this COMMIT only
    /// once it holds everything before it.
    /// On a server in recovery (a standby, or a crashed primary restarted read-only before its
    /// promotion) the message cannot be written: that answers 25006, as any write there does (a 503),
    /// where PostgreSQL's own error would be an internal one (XX000).
    public func commitWaitsForStandby() async throws {
        let recovering = try await self.query(
            """
            select pg_is_in_recovery() as recovering,
                case when pg_is_in_recovery() then null else pg_logical_emit_message(true, 'liushou.vouch', '') end as vouched
            """
        ).first?.decode("recovering", as: Bool.self)
        if recovering == true {
            throw DatabaseError.server(sqlState: "25006", message: "cannot vouch for stored rows on a server in recovery")
        }
    }

    /// Sets a transaction-local setting (`set_config(name, value, true)`), e.g. a row-level-security scope.
    public func setLocal(_ name: String, to value: String) async throws {
        try await self.query("select set_config(\(name), \(value), true)")
    }

    /// Bulk-loads rows with COPY inside the transaction.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: [[(any PostgresEncodable)?]]) async throws -> Int {
        let prelude = try self.state.takePrelude()
        if !prelude.isEmpty { _ = try await self.connection.pipeline(prelude) }
        return try await self.connection.copyIn(table: table, columns: columns, rows: rows)
    }

    static func run<Result>(
        isolation: isolated (any Actor)? = #isolation,
        on connection: PostgresConnection,
        level: TransactionIsolation,
        settings: [(name: String, value: String)],
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        var prelude: [SQLQuery] = ["begin isolation level \(unsafeRaw: level.rawValue)"]
        if !settings.isEmpty {
            let calls = settings.map { setting -> SQLQuery in "set_config(\(setting.name), \(setting.value), true)" }
            prelude.append("select \(SQLQuery.joined(calls, separator: ", "))")
        }
        let transaction = PostgresTransaction(connection: connection, prelude: prelude)
        do {
            let result = try await body(transaction)
            switch transaction.state.phase {
            case .pending, .finished:
                // Nothing was sent (nothing to commit), or the last statement committed.
                return result
            case .open:
                let commit = try await connection.query("commit")
                // COMMIT of a transaction that already failed answers ROLLBACK instead of raising an error.
                guard commit.commandTag == "COMMIT" else {
                    throw DatabaseError.server(sqlState: "40000", message: "transaction was aborted by an earlier error and rolled back")
                }
                return result
            }
        } catch {
            if transaction.state.phase != .pending, connection.isOpen {
                _ = try? await connection.query("rollback")
            }
            throw error
        }
    }
}

/// Where a transaction stands: BEGIN not sent yet, open, or committed with its last statement.
final class TransactionState: Sendable {
    enum Phase: Sendable {
        case pending
        case open
        case finished
    }

    private let storage: Mutex<(phase: Phase, prelude: [SQLQuery])>

    init(prelude: [SQLQuery]) {
        self.storage = Mutex((phase: .pending, prelude: prelude))
    }

    var phase: Phase { self.storage.withLock { $0.phase } }

    /// The statements to send before the next one (BEGIN and settings the first time), marking the
    /// transaction open; refuses statements after `queryAndCommit` (they would run outside it).
    func takePrelude() throws -> [SQLQuery] {
        try self.storage.withLock { state in
            switch state.phase {
            case .finished:
                throw DatabaseError.protocolFailure(message: "the transaction already committed with its last statement")
            case .open:
                return []
            case .pending:
                state.phase = .open
                return state.prelude
            }
        }
    }

    func finish() {
        self.storage.withLock { $0.phase = .finished }
    }
}
