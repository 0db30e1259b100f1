import Foundation
import LiushouPostgres

/// A user or service account as administrators see it (never its password hash).
public struct Account: Sendable, Encodable, Equatable {
    /// One active or revoked grant.
    public struct GrantView: Sendable, Encodable, Equatable {
        public var id: UUID
        public var role: String
        public var unitId: UUID
        public var unitPath: String
        public var grantedAt: Date
    }

    public var id: UUID
    public var kind: String
    public var username: String
    public var displayName: String
    public var homeUnitId: UUID
    /// The home unit's materialised path (ltree text).
    public var homeUnitPath: String
    public var mustChangePassword: Bool
    public var locked: Bool
    public var disabled: Bool
    public var version: Int
    public var grants: [GrantView]
}

extension Account {
    /// Loads an account and its active grants inside the caller's scope.
    static func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> Account? {
        guard let row = try await transaction.query("""
            select a.id, a.kind, a.username, a.display_name, a.home_unit_id, u.path::text as home_unit_path, a.must_change_password,
                   coalesce(a.locked_until > now(), false) as locked, a.disabled_at is not null as disabled, a.version
            from account a join org_unit u on u.id = a.home_unit_id where a.id = \(id)
            """).first else { return nil }
        let grants = try await transaction.query("""
            select g.id, g.role, g.unit_id, u.path::text as unit_path, g.granted_at
            from role_grant g join org_unit u on u.id = g.unit_id
            where g.account_id = \(id) and g.revoked_at is null order by g.granted_at, g.id
            """).map { row in
            GrantView(id: try row.decode("id"), role: try row.decode("role"), unitId: try row.decode("unit_id"),
                      unitPath: try row.decode("unit_path"), grantedAt: try row.decode("granted_at"))
        }
        return Account(
            id: try row.decode("id"), kind: try row.decode("kind"), username: try row.decode("username"),
            displayName: try row.decode("display_name"), homeUnitId: try row.decode("home_unit_id"),
            homeUnitPath: try row.decode("home_unit_path"),
            mustChangePassword: try row.decode("must_change_password"), locked: try row.decode("locked"),
            disabled: try row.decode("disabled"), version: try row.decode("version", as: Int.self), grants: grants
        )
    }
}
