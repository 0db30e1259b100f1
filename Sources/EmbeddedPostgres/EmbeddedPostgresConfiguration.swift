import Foundation

/// Where and how the embedded cluster runs.
public struct EmbeddedPostgresConfiguration: Sendable {
    /// How much crash safety to trade for speed.
    public enum Durability: Sendable {
        /// PostgreSQL's defaults: every commit is durable.
        case full
        /// fsync and synchronous commit off: only for throw-away test clusters.
        case unsafeFastForTests
    }

    /// Liushou's data directory; the cluster lives in its `postgres/` subdirectory.
    public var dataDirectory: URL
    /// TCP port on 127.0.0.1; `nil` picks a free one at each start.
    public var port: Int?
    /// The account the cluster runs as when this process is root; `nil` means `postgres`, or a
    /// `liushou-pg` system account created on first use.
    public var systemUser: String?
    /// Crash safety.
    public var durability: Durability
    /// `max_connections` of the cluster.
    public var maxConnections: Int
    /// The cluster's superuser, which the application connects as.
    public var superuser: String
    /// The database created for the application.
    public var database: String

    /// Defaults for `liushou serve`.
    public init(
        dataDirectory: URL,
        port: Int? = nil,
        systemUser: String? = nil,
        durability: Durability = .full,
        maxConnections: Int = 100,
        superuser: String = "liushou",
        database: String = "liushou"
    ) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.port = port
        self.systemUser = systemUser
        self.durability = durability
        self.maxConnections = maxConnections
        self.superuser = superuser
        self.database = database
    }
}
