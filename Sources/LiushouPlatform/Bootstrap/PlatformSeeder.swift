import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Creates units, accounts and grants directly through an owner connection: the shell-side setup
/// of a fresh deployment (`liushou bootstrap`) and the seed of tests and demos.
public struct PlatformSeeder: Sendable {
    let owner: PostgresConnectionPool
    let hasher: PasswordHasher

    /// A seeder writing through `owner` (a connection of the migration role).
    public init(owner: PostgresConnectionPool, hasher: PasswordHasher) {
        self.owner = owner
        self.hasher = hasher
    }

    /// Creates a unit under `parent` (or a county when `parent` is nil) and returns it.
    @discardableResult
    public func unit(_ kind: OrgUnitKind, name: String, code: String? = nil, parent: OrgUnit? = nil, id: UUID = UUID()) async throws -> OrgUnit {
        let problems = AdministrativeCode.problems(code: code, kind: kind, parentCode: parent?.code)
        guard problems.isEmpty else { throw SeedError.invalid("code \(code ?? "-"): " + problems.joined(separator: "; ")) }
        if let parent, !kind.allowedParents.contains(parent.kind) {
            throw SeedError.invalid("a \(kind.rawValue) cannot be placed under a \(parent.kind.rawValue)")
        }
        let path = (parent.map { $0.path + "." } ?? "") + OrgUnit.label(for: id)
        let row = try await self.owner.query("""
            insert into org_unit (id, kind, name, code, parent_id, path)
            values (\(id), \(kind.rawValue), \(name), \(code), \(parent?.id), \(path)::ltree)
            returning \(OrgUnit.columns)
            """).first
        guard let row else { throw SeedError.invalid("unit was not stored") }
        return try OrgUnit(row: row)
    }

    /// Creates a user account with a password (checked against the policy) and grants.
    @discardableResult
    public func user(
        _ username: String, password: String, displayName: String? = nil, home: OrgUnit, grants: [(Role, OrgUnit)],
        mustChangePassword: Bool = false
    ) async throws -> UUID {
        let problems = PasswordPolicy.problems(with: password)
        guard problems.isEmpty else { throw SeedError.invalid("password " + problems.map(\.message).joined(separator: "; ")) }
        let id = UUID()
        let hash = try await self.hasher.hash(password)
        try await self.owner.withTransaction { transaction in
            try await transaction.query("""
                insert into account (id, kind, username, display_name, home_unit_id, password_hash, must_change_password)
                values (\(id), 'user', \(username.lowercased()), \(displayName ?? username), \(home.id), \(hash), \(mustChangePassword))
                """)
            for (role, unit) in grants {
                try await transaction.query("insert into role_grant (id, account_id, role, unit_id) values (\(UUID()), \(id), \(role.rawValue), \(unit.id))")
            }
        }
        return id
    }

    /// Why seeding refused.
    public enum SeedError: Error, CustomStringConvertible {
        case invalid(String)

        public var description: String {
            switch self {
            case .invalid(let reason): return reason
            }
        }
    }
}
