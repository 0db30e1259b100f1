import Foundation
import Logging

/// Everything `liushou serve` can be told, from flags or `LIUSHOU_*` environment variables.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host: String
    /// Port to listen on.
    public var port: Int
    /// libpq URL of the database; `nil` runs the embedded PostgreSQL under `dataDirectory`.
    public var databaseURL: String?
    /// libpq URL of the owner role that runs migrations; `nil` uses `databaseURL`.
    public var migrationDatabaseURL: String?
    /// Seed a demo county with one user per role and print the logins.
    public var demo: Bool = false
    /// bcrypt cost factor for new password hashes (at least 10).
    public var bcryptCost: Int
    /// Liushou's local data directory (embedded cluster, its password file).
    public var dataDirectory: URL
    /// Upper bound on database connections of this server.
    public var poolSize: Int
    /// Whether `serve` applies pending migrations before accepting requests.
    public var migrateOnStart: Bool
    /// Where the SQL migrations live; `nil` searches the usual places.
    public var sqlDirectory: String?
    /// Minimum level of log records.
    public var logLevel: Logger.Level
    /// Log records as JSON lines (`json`) or as text (`text`).
    public var logFormat: LogFormat
    /// The secret ID numbers are sealed with (`LIUSHOU_DATA_KEY`, at least 32 characters); required
    /// with an external database, generated and kept in `dataDirectory` by the embedded default.
    public var dataKey: String?

    /// Log output formats.
    public enum LogFormat: String, Sendable, CaseIterable {
        case json
        case text
    }

    /// Defaults: 127.0.0.1:8080, embedded database in `./.liushou`.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        databaseURL: String? = nil,
        migrationDatabaseURL: String? = nil,
        bcryptCost: Int = 10,
        dataDirectory: URL = URL(fileURLWithPath: ".liushou"),
        poolSize: Int = 10,
        migrateOnStart: Bool = true,
        sqlDirectory: String? = nil,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .json
    ) {
        self.host = host
        self.port = port
        self.databaseURL = databaseURL
        self.migrationDatabaseURL = migrationDatabaseURL
        self.bcryptCost = bcryptCost
        self.dataDirectory = dataDirectory
        self.poolSize = poolSize
        self.migrateOnStart = migrateOnStart
        self.sqlDirectory = sqlDirectory
        self.logLevel = logLevel
        self.logFormat = logFormat
    }
}
