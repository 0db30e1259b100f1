import Foundation

/// Errors of the data layer, with PostgreSQL's SQLSTATE classes mapped to cases callers act on.
public enum DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 23505: a unique constraint refused the row.
    case uniqueViolation(constraint: String?, table: String?)
    /// 23503: a foreign key refused the row.
    case foreignKeyViolation(constraint: String?, table: String?)
    /// 23514: a check constraint refused the row.
    case checkViolation(constraint: String?, table: String?)
    /// 23502: a NOT NULL column got NULL.
    case notNullViolation(column: String?, table: String?)
    /// 40001: the transaction must be retried.
    case serializationFailure
    /// 40P01: the transaction was chosen as a deadlock victim and must be retried.
    case deadlockDetected
    /// 57014: the statement was cancelled (statement timeout or cancel request).
    case queryCanceled
    /// The connection to the server failed or was lost.
    case connectionFailure(message: String)
    /// No connection became free within the pool's acquire timeout.
    case poolExhausted(maxConnections: Int, waitedMilliseconds: Int)
    /// The pool was shut down.
    case poolClosed
    /// A bound parameter could not be sent (its 1-based position and why).
    case invalidParameter(position: Int, reason: String)
    /// A column's PostgreSQL type cannot be decoded as the requested Swift type.
    case typeMismatch(column: String, postgresType: String, swiftType: String)
    /// A column is NULL but the requested Swift type is not optional.
    case unexpectedNull(column: String, swiftType: String)
    /// The result has no column of that name or position.
    case columnNotFound(String)
    /// A JSON column does not match the requested `Codable` type.
    case jsonDecoding(column: String, swiftType: String, reason: String)
    /// Any other server error, with its SQLSTATE and primary message.
    case server(sqlState: String, message: String)
    /// A libpq call failed outside of a query (e.g. COPY framing).
    case protocolFailure(message: String)

    /// Whether retrying the whole transaction may succeed.
    public var isRetryable: Bool {
        switch self {
        case .serializationFailure, .deadlockDetected: return true
        default: return false
        }
    }

    /// Whether the database is out of service rather than the request or the code being wrong: the
    /// connection failed or timed out, the server is shutting down or recovering (57P01–57P03, mapped
    /// to `connectionFailure`), out of connections, memory or disk (class 53), failing its disk (58),
    /// a read-only standby after a failover (25006), a statement timed out (57014), a connection
    /// exception (class 08, such as 08007: a COMMIT whose wait for the synchronous standby was
    /// cancelled), or no pooled connection came free. Clients should retry such a request later.
    public var isUnavailable: Bool {
        switch self {
        case .connectionFailure, .poolExhausted, .poolClosed, .queryCanceled:
            return true
        case .server(let state, _):
            return state.hasPrefix("53") || state.hasPrefix("58") || state.hasPrefix("08") || state == "25006"
        default:
            return false
        }
    }

    /// The SQLSTATE, where the server sent one.
    public var sqlState: String? {
        switch self {
        case .uniqueViolation: return "23505"
        case .foreignKeyViolation: return "23503"
        case .checkViolation: return "23514"
        case .notNullViolation: return "23502"
        case .serializationFailure: return "40001"
        case .deadlockDetected: return "40P01"
        case .queryCanceled: return "57014"
        case .server(let state, _): return state
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .uniqueViolation(let constraint, let table):
            return "unique violation on \(table ?? "?") (constraint \(constraint ?? "?"))"
        case .foreignKeyViolation(let constraint, let table):
            return "foreign key violation on \(table ?? "?") (constraint \(constraint ?? "?"))"
        case .checkViolation(let constraint, let table):
            return "check violation on \(table ?? "?") (constraint \(constraint ?? "?"))"
        case .notNullViolation(let column, let table):
            return "NULL in NOT NULL column \(table ?? "?").\(column ?? "?")"
        case .serializationFailure:
            return "serialization failure (retry the transaction)"
        case .deadlockDetected:
            return "deadlock detected (retry the transaction)"
        case .queryCanceled:
            return "statement cancelled"
        case .connectionFailure(let message):
            return "database connection failure: \(message)"
        case .poolExhausted(let max, let waited):
            return "connection pool exhausted: all \(max) connections busy after waiting \(waited) ms"
        case .poolClosed:
            return "connection pool is closed"
        case .invalidParameter(let position, let reason):
            return "parameter $\(position) cannot be sent: \(reason)"
        case .typeMismatch(let column, let postgresType, let swiftType):
            return "column \"\(column)\" has PostgreSQL type \(postgresType), which cannot be decoded as \(swiftType)"
        case .unexpectedNull(let column, let swiftType):
            return "column \"\(column)\" is NULL, but \(swiftType) is not optional"
        case .columnNotFound(let column):
            return "result has no column \"\(column)\""
        case .jsonDecoding(let column, let swiftType, let reason):
            return "column \"\(column)\" does not decode as \(swiftType): \(reason)"
        case .server(let state, let message):
            return "PostgreSQL error \(state): \(message)"
        case .protocolFailure(let message):
            return "libpq failure: \(message)"
        }
    }

    /// The description, safe to log: from a server's message or a JSON decoding failure, which may
    /// quote the offending input (`invalid input syntax for type uuid: "…"`, a quote inside it not
    /// escaped), everything from the first quote to the last is removed. Other descriptions (a
    /// connection failure naming its host, a column name) hold no input and are kept whole.
    public var redactedDescription: String {
        switch self {
        case .server, .jsonDecoding: break
        default: return self.description
        }
        // Scalar by scalar: a quoted value that starts with a combining mark makes one Character of it
        // and the opening quote.
        let scalars = Array(self.description.unicodeScalars)
        guard let first = scalars.firstIndex(of: "\""), let last = scalars.lastIndex(of: "\"") else { return self.description }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[...first])
        text += "…\""
        if last > first { text.unicodeScalars.append(contentsOf: scalars[(last + 1)...]) }
        return text
    }

    /// libpq quotes a connection string it cannot parse whole, password included; the message is logged
    /// and may be printed, so passwords (`user:secret@`, `password=secret`) become `***`.
    static func withoutPasswords(_ message: String) -> String {
        message
            .replacingOccurrences(of: #"(://[^:/@\s"]*:)[^@\s"]*@"#, with: "$1***@", options: .regularExpression)
            .replacingOccurrences(of: #"(password\s*=\s*)('[^']*'|[^\s"]+)"#, with: "$1***", options: [.regularExpression, .caseInsensitive])
    }

    /// What a log may hold of any error: a database error redacted (`redactedDescription`), a coding
    /// error's type and path (its description quotes the value), a URL error's code (its description
    /// holds the address, and a webhook's address holds its key); others as they describe themselves.
    public static func loggable(_ error: any Error) -> String {
        switch error {
        case let database as DatabaseError: return database.redactedDescription
        case let url as URLError: return "URLError \(url.code.rawValue)"
        case let decoding as DecodingError:
            switch decoding {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
                return "DecodingError at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
            @unknown default: return "DecodingError"
            }
        case is EncodingError: return "EncodingError"
        default: return String(describing: error)
        }
    }

    /// Maps a server error's diagnostic fields to a case.
    static func fromServer(sqlState: String, message: String, constraint: String?, table: String?, column: String?) -> DatabaseError {
        switch sqlState {
        case "23505": return .uniqueViolation(constraint: constraint, table: table)
        case "23503": return .foreignKeyViolation(constraint: constraint, table: table)
        case "23514": return .checkViolation(constraint: constraint, table: table)
        case "23502": return .notNullViolation(column: column, table: table)
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "57014": return .queryCanceled
        default:
            // Class 08 is connection exceptions; 57P01-57P03 mean the server is shutting down or restarting.
            if sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState) {
                return .connectionFailure(message: message)
            }
            return .server(sqlState: sqlState, message: message)
        }
    }
}
