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

/// Which accounts `GET /v1/users` lists: a page in username order.
struct AccountFilter: Sendable {
    /// Home units under any of these paths (the caller's `users.read` scopes).
    var scopes: [String]
    var kind: String?
    /// Home units under this unit (nothing when the caller cannot see it).
    var unitID: UUID?
    /// A part of the username or display name.
    var text: String?
    /// The last username of the previous page.
    var after: String?
    var limit: Int
}

extension Account {
    private static let columns: SQLQuery = """
        a.id, a.kind, a.username, a.display_name, a.home_unit_id, u.path::text as home_unit_path, a.must_change_password,
        coalesce(a.locked_until > now(), false) as locked, a.disabled_at is not null as disabled, a.version
        """

    /// Loads an account and its active grants inside the caller's scope.
    static func load(_ id: UUID, in transaction: PostgresTransaction) async throws -> Account? {
        guard
            let row = try await transaction.query(
                """
                select \(Self.columns) from account a join org_unit u on u.id = a.home_unit_id where a.id = \(id)
                """
            ).first
        else { return nil }
        return try await Self.withGrants([row], in: transaction).first
    }

    /// A page of accounts (with their active grants) by username.
    static func list(_ filter: AccountFilter, in transaction: PostgresTransaction) async throws -> [Account] {
        // The wildcards escaped scalar by scalar: `%` followed by a combining mark is one Character.
        let pattern = filter.text.map { text in
            var escaped = "%"
            for scalar in text.unicodeScalars {
                if scalar == "\\" || scalar == "%" || scalar == "_" { escaped += "\\" }
                escaped.unicodeScalars.append(scalar)
            }
            return escaped + "%"
        }
        let rows = try await transaction.query(
            """
            select \(Self.columns) from account a join org_unit u on u.id = a.home_unit_id
            where u.path <@ \(filter.scopes)::ltree[]
              and (\(filter.kind)::text is null or a.kind = \(filter.kind))
              and (\(filter.unitID)::uuid is null or u.path <@ (select f.path from org_unit f where f.id = \(filter.unitID)))
              and (\(pattern)::text is null or a.username ilike \(pattern) or a.display_name ilike \(pattern))
              and (\(filter.after)::text is null or a.username > \(filter.after))
            order by a.username
            limit \(filter.limit)
            """
        )
        return try await Self.withGrants(Array(rows), in: transaction)
    }

    private static func withGrants(_ rows: [PostgresRow], in transaction: PostgresTransaction) async throws -> [Account] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode("id", as: UUID.self) }
        var grants: [UUID: [GrantView]] = [:]
        for row in try await transaction.query(
            """
            select g.account_id, g.id, g.role, g.unit_id, u.path::text as unit_path, g.granted_at
            from role_grant g join org_unit u on u.id = g.unit_id
            where g.account_id = any(\(ids)::uuid[]) and g.revoked_at is null order by g.granted_at, g.id
            """
        ) {
            grants[try row.decode("account_id", as: UUID.self), default: []].append(
                GrantView(
                    id: try row.decode("id"),
                    role: try row.decode("role"),
                    unitId: try row.decode("unit_id"),
                    unitPath: try row.decode("unit_path"),
                    grantedAt: try row.decode("granted_at")
                )
            )
        }
        return try rows.map { row in
            let id = try row.decode("id", as: UUID.self)
            return Account(
                id: id,
                kind: try row.decode("kind"),
                username: try row.decode("username"),
                displayName: try row.decode("display_name"),
                homeUnitId: try row.decode("home_unit_id"),
                homeUnitPath: try row.decode("home_unit_path"),
                mustChangePassword: try row.decode("must_change_password"),
                locked: try row.decode("locked"),
                disabled: try row.decode("disabled"),
                version: try row.decode("version", as: Int.self),
                grants: grants[id] ?? []
            )
        }
    }
}
