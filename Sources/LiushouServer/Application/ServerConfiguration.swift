import Foundation
import LiushouAccess
import LiushouAlerts
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
    /// libpq URL of a read-only pool (a streaming replica, e.g. with `target_session_attrs=prefer-standby`)
    /// for the dashboard and report figures; `nil` reads everything from `databaseURL`.
    public var readDatabaseURL: String?
    /// Upper bound on connections of the read pool; `nil` uses `poolSize`.
    public var readPoolSize: Int?
    /// Reads go to the replica only while its data is at most this old (else to the primary).
    public var readMaxStaleness: Duration = .seconds(30)
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
    /// Keys identifiers were sealed with before a rotation (`LIUSHOU_DATA_KEY_PREVIOUS`, separated by
    /// spaces or commas): still opened and found until `liushou keys rotate` has re-sealed them.
    public var previousDataKeys: [String] = []
    /// `statement_timeout` of reads and single writes (`LIUSHOU_STATEMENT_TIMEOUT`, seconds); a
    /// request gives up on a hung database a little after it and answers 503.
    public var statementTimeout: Duration = .seconds(5)
    /// `statement_timeout` of imports and offline batches (`LIUSHOU_BULK_STATEMENT_TIMEOUT`, seconds).
    public var bulkStatementTimeout: Duration = .seconds(120)
    /// How long a request waits for a free database connection before 503 (`LIUSHOU_POOL_WAIT`, seconds).
    public var poolWaitTimeout: Duration = .seconds(3)
    /// libpq `connect_timeout` (`LIUSHOU_CONNECT_TIMEOUT`, seconds, at least 2).
    public var connectTimeout: Duration = .seconds(3)
    /// Client connections idle (or still sending request headers) this long are closed (`LIUSHOU_IDLE_TIMEOUT`, seconds).
    public var idleTimeout: Duration = .seconds(30)
    /// Open client connections at most; more wait in the listen backlog (`LIUSHOU_MAX_CONNECTIONS`).
    public var maxClientConnections: Int = 4096
    /// Reverse proxies (their addresses as the server sees them) whose `X-Forwarded-For` names the
    /// client, for the audit log and login throttling (`LIUSHOU_TRUSTED_PROXIES`, comma-separated).
    public var trustedProxies: Set<String> = []
    /// Roles whose accounts must give a second factor (TOTP) after the password
    /// (`LIUSHOU_TWO_FACTOR_ROLES`, comma-separated, `none` for nobody). Default: county and town
    /// administrators and auditors; with `--demo`, nobody (the demo's logins work with a password).
    public var twoFactorRoles: Set<Role>? = nil

    /// The second-factor policy in force.
    public var resolvedTwoFactorRoles: Set<Role> {
        self.twoFactorRoles ?? (self.demo ? [] : [.countyAdmin, .townAdmin, .auditor])
    }
    /// Where signed audit checkpoints are appended (`LIUSHOU_AUDIT_CHECKPOINT_FILE`); `nil` writes
    /// `audit-checkpoints.jsonl` in `dataDirectory`.
    public var auditCheckpointFile: URL? = nil
    /// How often a checkpoint is written when the audit log grew (`LIUSHOU_AUDIT_CHECKPOINT_INTERVAL`, seconds).
    public var auditCheckpointInterval: Duration = .seconds(600)
    /// Alert delivery: the public address for links (`LIUSHOU_PUBLIC_URL`), the SMS gateway
    /// (`LIUSHOU_SMS_GATEWAY_URL`, `LIUSHOU_SMS_GATEWAY_TOKEN`), limits and retries (`LIUSHOU_ALERT_*`).
    public var alertDelivery = AlertDeliverySettings()
    /// After SIGTERM, how long kept-alive connections stay open to answer 503 instead of being cut.
    public var shutdownLinger: Duration = .seconds(2)

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

    /// The checkpoint file in use.
    public var resolvedAuditCheckpointFile: URL {
        self.auditCheckpointFile ?? self.dataDirectory.appendingPathComponent("audit-checkpoints.jsonl")
    }
}
