import Foundation
import LiushouAccess
import LiushouPostgres

/// The only way route handlers reach PostgreSQL: every transaction carries the caller's scope, so
/// row-level security limits what any statement can see or change.
public struct TenantDatabase: Sendable {
    let pool: PostgresConnectionPool
    let role: String?

    /// Wraps the server's pool. `role` is set (`SET LOCAL ROLE`) in every scoped transaction: owner-side
    /// tools pass the application role, so row-level security applies to them as to the server.
    public init(pool: PostgresConnectionPool, role: String? = nil) {
        self.pool = pool
        self.role = role
    }

    /// Runs `body` in a transaction scoped to the caller's grants; with `maxAttempts` > 1 a deadlock or
    /// serialization failure runs `body` again (it must then be safe to repeat). Imports and offline
    /// batches pass `kind: .bulk` for the longer statement timeout.
    @discardableResult
    public func transaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        for caller: Caller,
        kind: TransactionKind = .standard,
        maxAttempts: Int = 1,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        var settings = Self.scopeSettings(for: caller)
        // `set_config('role', …, true)` is `SET LOCAL ROLE`: sent with BEGIN and the scope, so it
        // costs no round trip of its own.
        if let role = self.role { settings.append((name: "role", value: role)) }
        return try await self.pool.withTransaction(kind: kind, settings: settings, maxAttempts: maxAttempts) { transaction in
            try await body(transaction)
        }
    }

    /// The transaction-local settings row-level security reads for `caller` (also for tools that
    /// reproduce a user's view in psql).
    public static func scopeSettings(for caller: Caller) -> [(name: String, value: String)] {
        var settings: [(name: String, value: String)] = [
            (name: "liushou.scope_paths", value: Self.literal(caller.allScopes)),
            (name: "liushou.account_id", value: caller.accountID.uuidString.lowercased()),
        ]
        for scope in RowScope.allCases {
            settings.append((name: "liushou.scope.\(scope.rawValue)", value: Self.literal(caller.paths(for: scope))))
        }
        return settings
    }

    /// An `ltree[]` literal of unit paths.
    private static func literal(_ paths: [String]) -> String {
        "{" + paths.joined(separator: ",") + "}"
    }

    /// One statement outside any transaction and scope (autocommit), for the token check on every
    /// request: one round trip instead of four. Only for `auth_*` security-definer functions that read
    /// no scope setting (so no session leftover can widen what they see).
    func unscopedStatement(_ query: SQLQuery) async throws -> PostgresResult {
        try await self.pool.query(query)
    }

    /// A transaction with no scope: it sees no tenant rows; only the `auth_*` functions and audit appends work.
    /// The scope settings are cleared explicitly, so a session-level leftover can never widen it.
    /// With `account`, the transaction names that account (for the `auth_*` functions acting on one's own account).
    @discardableResult
    func unscoped<Result>(
        isolation: isolated (any Actor)? = #isolation,
        account: UUID? = nil,
        _ body: (PostgresTransaction) async throws -> Result
    ) async throws -> Result {
        var settings: [(name: String, value: String)] = [
            (name: "liushou.scope_paths", value: ""), (name: "liushou.account_id", value: account?.uuidString.lowercased() ?? ""),
        ]
        for scope in RowScope.allCases {
            settings.append((name: "liushou.scope.\(scope.rawValue)", value: ""))
        }
        return try await self.pool.withTransaction(settings: settings) { transaction in
            try await body(transaction)
        }
    }
}
