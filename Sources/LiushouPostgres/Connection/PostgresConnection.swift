import CLibPQ
import Glibc
import NIOPosix
import Synchronization

/// One libpq connection. Every blocking libpq call runs on the connection's own thread, started
/// when it connects and stopped when it closes: a process holds as many of these threads as it has
/// open connections, not as many as its pools could open.
///
/// A connection is used by one caller at a time (the pool leases it exclusively), which is what
/// makes the `@unchecked Sendable` conformance sound; `close()` is guarded so that `PQfinish`
/// runs exactly once.
public final class PostgresConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private let threadPool: NIOThreadPool
    private let finished = Mutex(false)
    /// How long one call waits for the server's answer; `nil` waits as long as it takes.
    private let answerTimeout = Mutex<Duration?>(nil)
    /// Whether the server sent the WARNING of a cancelled wait for the synchronous standby during
    /// the current call (set by the notice receiver).
    private let replicationWaitCancelled = Mutex(false)
    /// The server process id serving this connection.
    public let backendPID: Int32

    private init(handle: OpaquePointer, threadPool: NIOThreadPool) {
        self.handle = handle
        self.threadPool = threadPool
        self.backendPID = PQbackendPID(handle)
    }

    deinit {
        self.finishOnce()
        self.threadPool.shutdownGracefully { _ in }
    }

    /// Opens a connection on a thread of its own. `conninfo` is a libpq URL or key/value string,
    /// including multi-host URLs with `target_session_attrs`.
    ///
    /// `connectTimeout` bounds each host's connection attempt (libpq's `connect_timeout`, at least
    /// 2 s); TCP keepalives are on, so a peer that vanished is noticed. `statementTimeout` becomes
    /// the session's `statement_timeout`, and the connection stops waiting for any answer
    /// `answerGrace` after it (a hung server never cancels anything itself), closing itself then.
    public static func connect(
        conninfo: String,
        connectTimeout: Duration = .seconds(10),
        statementTimeout: Duration? = nil,
        answerGrace: Duration = .seconds(2)
    ) async throws -> PostgresConnection {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            return try await threadPool.runIfActive {
                try Self.connectBlocking(
                    conninfo: conninfo,
                    threadPool: threadPool,
                    connectTimeout: connectTimeout,
                    statementTimeout: statementTimeout,
                    answerGrace: answerGrace
                )
            }
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    private static func connectBlocking(
        conninfo: String,
        threadPool: NIOThreadPool,
        connectTimeout: Duration,
        statementTimeout: Duration?,
        answerGrace: Duration
    ) throws -> PostgresConnection {
        // Keywords before `dbname` are defaults that the connection string itself overrides.
        let keywords = [
            "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
            "fallback_application_name", "client_encoding", "dbname",
        ]
        // libpq quotes what it cannot parse of a connection string (a percent-encoded password, a part
        // after a space), and the message is logged: the text of an unparsable string is never shown.
        var parseError: UnsafeMutablePointer<CChar>? = nil
        guard let parsed = PQconninfoParse(conninfo, &parseError) else {
            if let parseError { PQfreemem(parseError) }
            throw DatabaseError.connectionFailure(
                message: "the database connection string cannot be parsed (its text is not shown: it may hold a password)"
            )
        }
        PQconninfoFree(parsed)
        let seconds = max(2, Int(connectTimeout.components.seconds))
        let values = [String(seconds), "1", "10", "5", "3", "30000", "liushou", "UTF8", conninfo]
        let handle: OpaquePointer? = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let handle else {
            throw DatabaseError.connectionFailure(message: "libpq could not allocate a connection")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.errorMessage(handle)
            PQfinish(handle)
            throw DatabaseError.connectionFailure(message: message)
        }
        let connection = PostgresConnection(handle: handle, threadPool: threadPool)
        // The receiver lives as long as the handle: both end in `finishOnce`, which the connection owns.
        PQsetNoticeReceiver(handle, Self.receiveNotice, Unmanaged.passUnretained(connection).toOpaque())
        connection.setAnswerTimeout(.seconds(seconds))
        var script = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3"
        if let statementTimeout {
            script += "; SET statement_timeout = \(Self.milliseconds(statementTimeout))"
        }
        _ = try connection.executeScriptBlocking(script)
        connection.setAnswerTimeout(statementTimeout.map { $0 + answerGrace })
        return connection
    }

    /// Notices are dropped, except the one that changes a COMMIT's meaning: when its wait for the
    /// synchronous standby is cancelled (`pg_cancel_backend`, a pool cancelling at shutdown), the
    /// server answers COMMIT with only a WARNING that the transaction committed locally but might not
    /// have been replicated. It is noted here and turned into an error when the call ends
    /// (`throwIfCommitUnconfirmed`). It is told from other warnings of the same SQLSTATE (01000,
    /// any WARNING without a code of its own) by the server function that raised it, a field the
    /// server never translates.
    private static let receiveNotice: PQnoticeReceiver = { argument, result in
        guard let argument, let result,
            let severity = PQresultErrorField(result, Int32(UInt8(ascii: "V"))),
            let function = PQresultErrorField(result, Int32(UInt8(ascii: "R"))),
            String(cString: severity) == "WARNING", String(cString: function) == "SyncRepWaitForLSN"
        else { return }
        Unmanaged<PostgresConnection>.fromOpaque(argument).takeUnretainedValue().replicationWaitCancelled.withLock { $0 = true }
    }

    /// After a call: a transaction it ended (the connection is outside any transaction block now)
    /// whose wait for the synchronous standby was cancelled has an unknown outcome (SQLSTATE 08007):
    /// committed on the primary, perhaps on no standby, so a failover could still lose it. The caller
    /// must not report it as stored; a retry with the same client id finds it or writes it again.
    private func throwIfCommitUnconfirmed() throws {
        let cancelled = self.replicationWaitCancelled.withLock { cancelled in
            defer { cancelled = false }
            return cancelled
        }
        if cancelled, PQtransactionStatus(self.handle) == PQTRANS_IDLE {
            throw DatabaseError.server(
                sqlState: "08007",
                message: "the wait of COMMIT for the synchronous standby was cancelled: the transaction's outcome is unknown"
            )
        }
    }

    /// Sets how long each call waits for the server's answer before closing the connection and
    /// failing with `connectionFailure`; `nil` waits as long as it takes.
    public func setAnswerTimeout(_ timeout: Duration?) {
        self.answerTimeout.withLock { $0 = timeout }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Runs one statement with bound parameters and returns its rows.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresResult {
        for (index, binding) in query.bindings.enumerated() {
            if let reason = binding.encodingFailure {
                throw DatabaseError.invalidParameter(position: index + 1, reason: reason)
            }
        }
        return try await self.threadPool.runIfActive {
            try self.executeBlocking(query)
        }
    }

    /// Runs several statements with bound parameters in one round trip (libpq pipeline mode) and
    /// returns their results in order. After a failing statement the server skips the rest; the
    /// first error is thrown. Outside a transaction block the statements form one implicit transaction.
    public func pipeline(_ queries: [SQLQuery]) async throws -> [PostgresResult] {
        for query in queries {
            for (index, binding) in query.bindings.enumerated() {
                if let reason = binding.encodingFailure {
                    throw DatabaseError.invalidParameter(position: index + 1, reason: reason)
                }
            }
        }
        return try await self.threadPool.runIfActive {
            try self.pipelineBlocking(queries)
        }
    }

    /// Runs a multi-statement script without parameters (migrations only). The caller vouches for the text.
    @discardableResult
    public func executeScript(unsafeSQL script: String) async throws -> PostgresResult {
        try await self.threadPool.runIfActive {
            try self.executeScriptBlocking(script)
        }
    }

    /// Streams rows into a table with `COPY … FROM STDIN` (text format). Returns the number of rows copied.
    @discardableResult
    public func copyIn(table: String, columns: [String], rows: [[(any PostgresEncodable)?]]) async throws -> Int {
        let payload = try PostgresCopyEncoder.encode(rows: rows, columnCount: columns.count)
        let columnList = columns.map(SQLQuery.quoteIdentifier).joined(separator: ", ")
        let statement = "COPY \(Self.quoteQualified(table)) (\(columnList)) FROM STDIN"
        return try await self.threadPool.runIfActive {
            try self.copyInBlocking(statement: statement, chunks: payload)
        }
    }

    /// Asks the server to cancel the statement this connection is running (thread-safe; used at shutdown).
    public func cancelRunningStatement() {
        let shouldTry = !self.finished.withLock { $0 }
        guard shouldTry, let cancel = PQgetCancel(self.handle) else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
        PQfreeCancel(cancel)
    }

    /// Whether libpq still considers the connection open.
    public var isOpen: Bool {
        !self.finished.withLock { $0 } && PQstatus(self.handle) == CONNECTION_OK
    }

    /// Whether the connection sits outside any transaction block.
    public var isIdleOutsideTransaction: Bool {
        !self.finished.withLock { $0 } && PQtransactionStatus(self.handle) == PQTRANS_IDLE
    }

    /// A non-blocking check that the server has not closed an idle connection (terminated
    /// backend, restart): reads whatever input is pending with a zero-timeout `poll`.
    public func isHealthyWithoutRoundTrip() -> Bool {
        guard self.isOpen else { return false }
        let socket = PQsocket(self.handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        for _ in 0..<4 {
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(self.handle) == 0 || PQstatus(self.handle) != CONNECTION_OK {
                return false
            }
            while let notification = PQnotifies(self.handle) {
                PQfreemem(notification)
            }
        }
        return PQstatus(self.handle) == CONNECTION_OK
    }

    /// Closes the connection (sends Terminate and frees libpq's memory), at most once.
    public func close() async {
        let finish: @Sendable () -> Void = { self.finishOnce() }
        do {
            try await self.threadPool.runIfActive(finish)
        } catch {
            finish()
        }
        try? await self.threadPool.shutdownGracefully()
    }

    private func finishOnce() {
        let shouldFinish = self.finished.withLock { finished in
            defer { finished = true }
            return !finished
        }
        if shouldFinish {
            // PQfinish reads nothing, but the receiver must not outlive the connection it points at.
            PQsetNoticeReceiver(self.handle, { _, _ in }, nil)
            PQfinish(self.handle)
        }
    }

    // MARK: Blocking calls (thread pool only)

    private func executeBlocking(_ query: SQLQuery) throws -> PostgresResult {
        try self.ensureNotFinished()
        let types = query.bindings.map { Oid($0.type.oid) }
        let values = query.bindings.map(\.text)
        let deadline = self.answerDeadline()
        let sent = withOptionalCStringArray(values) { valuePointers in
            types.withUnsafeBufferPointer { typePointer in
                PQsendQueryParams(self.handle, query.sql, Int32(values.count), typePointer.baseAddress, valuePointers, nil, nil, 0)
            }
        }
        guard sent == 1 else { throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle)) }
        let result = try self.consume(self.lastResult(before: deadline))
        try self.throwIfCommitUnconfirmed()
        return result
    }

    /// When the answer to a call starting now must have arrived.
    private func answerDeadline() -> ContinuousClock.Instant? {
        self.answerTimeout.withLock { $0 }.map { ContinuousClock.now + $0 }
    }

    /// Waits (polling the socket, never past `deadline`) until `PQgetResult` will not block. At the
    /// deadline the connection is closed: the server is hung or unreachable, and the statement may or
    /// may not have run.
    private func awaitResult(before deadline: ContinuousClock.Instant?) throws {
        guard let deadline else { return }
        while PQisBusy(self.handle) == 1 {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                self.finishOnce()
                throw DatabaseError.connectionFailure(message: "no answer from the database within the timeout; connection closed")
            }
            var descriptor = pollfd(fd: PQsocket(self.handle), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(clamping: max(1, Self.milliseconds(remaining))))
            if ready < 0, errno != EINTR {
                throw DatabaseError.connectionFailure(message: "poll failed: errno \(errno)")
            }
            if ready > 0, PQconsumeInput(self.handle) == 0 {
                throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
            }
        }
    }

    /// The next result of the running command, or `nil` when it has none left.
    private func nextResult(before deadline: ContinuousClock.Instant?) throws -> OpaquePointer? {
        try self.awaitResult(before: deadline)
        return PQgetResult(self.handle)
    }

    /// Reads every result of the running command and keeps the last (an error stops a script, so it is last), as `PQexec` does.
    private func lastResult(before deadline: ContinuousClock.Instant?) throws -> OpaquePointer? {
        var last: OpaquePointer? = nil
        do {
            while let result = try self.nextResult(before: deadline) {
                if let previous = last { PQclear(previous) }
                last = result
            }
        } catch {
            if let last { PQclear(last) }
            throw error
        }
        return last
    }

    private func pipelineBlocking(_ queries: [SQLQuery]) throws -> [PostgresResult] {
        try self.ensureNotFinished()
        guard PQenterPipelineMode(self.handle) == 1 else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        var sent = 0
        var sendFailure: String? = nil
        for query in queries {
            let types = query.bindings.map { Oid($0.type.oid) }
            let values = query.bindings.map(\.text)
            let accepted = withOptionalCStringArray(values) { valuePointers in
                types.withUnsafeBufferPointer { typePointer in
                    PQsendQueryParams(self.handle, query.sql, Int32(values.count), typePointer.baseAddress, valuePointers, nil, nil, 0)
                }
            }
            guard accepted == 1 else {
                sendFailure = Self.errorMessage(self.handle)
                break
            }
            sent += 1
        }
        // The sync also flushes what was queued; it is sent even after a failed send so the
        // connection can leave pipeline mode cleanly.
        guard PQpipelineSync(self.handle) == 1 else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        let deadline = self.answerDeadline()
        var outcomes: [Result<PostgresResult, any Error>] = []
        for _ in 0..<sent {
            var outcome: Result<PostgresResult, any Error>? = nil
            while let result = try self.nextResult(before: deadline) {
                if outcome == nil {
                    if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                        PQclear(result)
                        outcome = .failure(DatabaseError.protocolFailure(message: "statement skipped after an earlier error in the pipeline"))
                    } else {
                        outcome = Result { try self.consume(result) }
                    }
                } else {
                    PQclear(result)
                }
            }
            outcomes.append(outcome ?? .failure(DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))))
        }
        // The sync's own result, then leave pipeline mode.
        while let result = try self.nextResult(before: deadline) {
            let isSync = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
            if isSync { break }
        }
        guard PQexitPipelineMode(self.handle) == 1 else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        if let sendFailure {
            throw DatabaseError.connectionFailure(message: sendFailure)
        }
        // The first real error wins over the "skipped" placeholders that follow it.
        if let failure = outcomes.lazy.compactMap({ outcome -> (any Error)? in
            if case .failure(let error) = outcome, !Self.isSkipped(error) { return error }
            return nil
        }).first {
            throw failure
        }
        let results = try outcomes.map { try $0.get() }
        try self.throwIfCommitUnconfirmed()
        return results
    }

    private static func isSkipped(_ error: any Error) -> Bool {
        if case DatabaseError.protocolFailure(let message) = error { return message.hasPrefix("statement skipped") }
        return false
    }

    private func executeScriptBlocking(_ script: String) throws -> PostgresResult {
        try self.ensureNotFinished()
        let deadline = self.answerDeadline()
        guard PQsendQuery(self.handle, script) == 1 else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        let result = try self.consume(self.lastResult(before: deadline))
        try self.throwIfCommitUnconfirmed()
        return result
    }

    private func copyInBlocking(statement: String, chunks: [[UInt8]]) throws -> Int {
        try self.ensureNotFinished()
        let deadline = self.answerDeadline()
        guard PQsendQuery(self.handle, statement) == 1, let start = try self.nextResult(before: deadline) else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try self.consume(start)
            throw DatabaseError.protocolFailure(message: "COPY did not enter COPY IN mode")
        }
        PQclear(start)
        var sendFailure: String? = nil
        for chunk in chunks where sendFailure == nil {
            let sent = chunk.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(self.handle, $0.baseAddress, Int32($0.count)) }
            }
            if sent != 1 { sendFailure = Self.errorMessage(self.handle) }
        }
        guard PQputCopyEnd(self.handle, sendFailure) == 1 else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        var outcome: Result<PostgresResult, any Error> = .failure(DatabaseError.protocolFailure(message: "COPY returned no result"))
        while let result = try self.nextResult(before: self.answerDeadline()) {
            outcome = Result { try self.consume(result) }
        }
        let rows = try outcome.get().affectedRows
        try self.throwIfCommitUnconfirmed()
        return rows
    }

    /// Reads a result into Swift memory and clears it (exactly once, here).
    private func consume(_ result: OpaquePointer?) throws -> PostgresResult {
        guard let result else {
            throw DatabaseError.connectionFailure(message: Self.errorMessage(self.handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return Self.read(result)
        default:
            throw self.error(from: result)
        }
    }

    private static func read(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var names: [String] = []
        var types: [PostgresType] = []
        for column in 0..<columnCount {
            names.append(String(cString: PQfname(result, Int32(column))))
            types.append(PostgresType(oid: UInt32(PQftype(result, Int32(column)))))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: length)
                    cells.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        let tag = String(cString: PQcmdStatus(result))
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PostgresResult(
            columns: PostgresColumns(names: names, types: types),
            commandTag: tag,
            affectedRows: affected,
            cells: cells
        )
    }

    private func error(from result: OpaquePointer) -> DatabaseError {
        func field(_ code: Character) -> String? {
            guard let ascii = code.asciiValue, let value = PQresultErrorField(result, Int32(ascii)) else { return nil }
            return String(cString: value)
        }
        let message = field("M") ?? Self.errorMessage(self.handle)
        guard PQstatus(self.handle) == CONNECTION_OK else {
            return .connectionFailure(message: message)
        }
        guard let sqlState = field("C") else {
            return .connectionFailure(message: message)
        }
        return DatabaseError.fromServer(
            sqlState: sqlState,
            message: message,
            constraint: field("n"),
            table: field("t"),
            column: field("c")
        )
    }

    /// Starts a blocking call: the connection must be open, and no notice of an earlier call counts.
    private func ensureNotFinished() throws {
        if self.finished.withLock({ $0 }) {
            throw DatabaseError.connectionFailure(message: "connection is closed")
        }
        self.replicationWaitCancelled.withLock { $0 = false }
    }

    private static func errorMessage(_ handle: OpaquePointer) -> String {
        DatabaseError.withoutPasswords(String(cString: PQerrorMessage(handle)).trimmingTrailingWhitespace())
    }

    private static func quoteQualified(_ name: String) -> String {
        name.split(separator: ".", maxSplits: 1).map { SQLQuery.quoteIdentifier(String($0)) }.joined(separator: ".")
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var copy = self
        while let last = copy.last, last.isWhitespace { copy.removeLast() }
        return copy
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings`, freed afterwards.
private func withCStringArray<Result>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
    withOptionalCStringArray(strings.map(Optional.some)) { body($0 + [nil]) }
}

/// Like `withCStringArray`, with `nil` entries passed as NULL pointers.
private func withOptionalCStringArray<Result>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> Result) -> Result {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer {
        for copy in copies { free(copy) }
    }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
