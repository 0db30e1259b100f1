import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Creates units, accounts and grants directly through an owner connection: the shell-side setup
/// of a fresh deployment (`liushou bootstrap`) and the seed of tests and demos.
public struct PlatformSeeder: Sendable {
    let owner: PostgresConnectionPool
    let hasher: PasswordHasher
    let auditActor: String?

    /// A seeder writing through `owner` (a connection of the migration role). With `auditActor`
    /// (e.g. `cli:root`) every write also appends an audit row in that name.
    public init(owner: PostgresConnectionPool, hasher: PasswordHasher, auditActor: String? = nil) {
        self.owner = owner
        self.hasher = hasher
        self.auditActor = auditActor
    }

    private func audit(_ action: String, resource: String, recordID: UUID, unit: OrgUnit, detail: [String: String]? = nil) async throws {
        guard let actor = self.auditActor else { return }
        let payload = detail.map(PostgresJSON.init)
        try await self.owner.query(
            """
            insert into audit_log (chain_position, at, account_name, unit_id, unit_path, action, resource, record_id, result, detail, prev_hash, hash)
            values (0, now(), \(actor), \(unit.id), \(unit.path)::ltree, \(action), \(resource), \(recordID.uuidString.lowercased()),
                    'success', \(payload), ''::bytea, ''::bytea)
            """
        )
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
        let row = try await self.owner.query(
            """
            insert into org_unit (id, kind, name, code, parent_id, path)
            values (\(id), \(kind.rawValue), \(name), \(code), \(parent?.id), \(path)::ltree)
            returning \(OrgUnit.columns)
            """
        ).first
        guard let row else { throw SeedError.invalid("unit was not stored") }
        let unit = try OrgUnit(row: row)
        try await self.audit("unit.create", resource: "org_unit", recordID: unit.id, unit: unit)
        return unit
    }

    /// Creates a user account with a password (checked against the policy) and grants.
    @discardableResult
    public func user(
        _ username: String,
        password: String,
        displayName: String? = nil,
        home: OrgUnit,
        grants: [(Role, OrgUnit)],
        mustChangePassword: Bool = false
    ) async throws -> UUID {
        let problems = PasswordPolicy.problems(with: password)
        guard problems.isEmpty else { throw SeedError.invalid("password " + problems.map(\.message).joined(separator: "; ")) }
        let id = UUID()
        let hash = try await self.hasher.hash(password)
        try await self.owner.withTransaction { transaction in
            try await transaction.query(
                """
                insert into account (id, kind, username, display_name, home_unit_id, password_hash, must_change_password)
                values (\(id), 'user', \(username.lowercased()), \(displayName ?? username), \(home.id), \(hash), \(mustChangePassword))
                """
            )
            for (role, unit) in grants {
                try await transaction.query(
                    "insert into role_grant (id, account_id, role, unit_id) values (\(UUID()), \(id), \(role.rawValue), \(unit.id))"
                )
            }
        }
        try await self.audit(
            "account.create",
            resource: "account",
            recordID: id,
            unit: home,
            detail: ["roles": grants.map(\.0.rawValue).sorted().joined(separator: ",")]
        )
        return id
    }

    /// A unit by id (the owner sees every unit).
    public func unit(id: UUID) async throws -> OrgUnit {
        guard let row = try await self.owner.query("select \(OrgUnit.columns) from org_unit where id = \(id)").first else {
            throw SeedError.invalid("no unit \(id.uuidString.lowercased())")
        }
        return try OrgUnit(row: row)
    }

    /// Grants a role on a unit to an existing account, by username.
    public func grant(_ role: Role, on unitID: UUID, to username: String) async throws {
        let unit = try await self.unit(id: unitID)
        let inserted = try await self.owner.query(
            """
            insert into role_grant (id, account_id, role, unit_id)
            select \(UUID()), id, \(role.rawValue), \(unit.id) from account where username = \(username.lowercased())
            on conflict do nothing
            returning id
            """
        )
        guard let account = try await self.owner.query("select id from account where username = \(username.lowercased())").first else {
            throw SeedError.invalid("no account \(username)")
        }
        if !inserted.isEmpty {
            try await self.audit(
                "grant.add",
                resource: "account",
                recordID: try account.decode("id", as: UUID.self),
                unit: unit,
                detail: ["role": role.rawValue]
            )
        }
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
