import Crypto
import Foundation

/// One SQL migration file: `sql/<module>/<version>_<name>.sql`.
public struct Migration: Sendable, Hashable {
    /// Global order across all modules; unique.
    public let version: Int
    /// The module that owns it (its folder under `sql/`).
    public let module: String
    /// The file's name without version and extension.
    public let name: String
    public let sql: String

    /// Creates a migration from its parts.
    public init(version: Int, module: String, name: String, sql: String) {
        self.version = version
        self.module = module
        self.name = name
        self.sql = sql
    }

    /// SHA-256 of the SQL text, hex: a changed file after it was applied is refused.
    public var checksum: String {
        SHA256.hash(data: Data(self.sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// `module/0001_name`, for messages.
    public var label: String {
        "\(self.module)/\(String(format: "%04d", self.version))_\(self.name)"
    }
}
