import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// What creating a user and creating a service account share: identity checks, the caller's right
/// over the home unit, and the inserts of the account and its grants.
enum AccountWriter {
    /// Problems with a username and display name; returns the normalised pair.
    static func identityProblems(username: String, displayName: String) -> (username: String, displayName: String, problems: [Problem.FieldError]) {
        var problems: [Problem.FieldError] = []
        let username = username.lowercased()
        if username.range(of: #"\A[a-z0-9][a-z0-9._-]{2,63}\z"#, options: .regularExpression) == nil {
            problems.append(.init(field: "username", message: "must be 3 to 64 of a-z 0-9 . _ -, starting with a letter or digit"))
        } else if username.range(of: #"[0-9]{7}"#, options: .regularExpression) != nil {
            // A username is logged with every request and kept in the audit log and on phones: a phone
            // or ID number there would be one no masking covers.
            problems.append(.init(field: "username", message: "must not hold a phone or ID number (7 or more digits in a row)"))
        }
        let displayName = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...100).contains(displayName.unicodeScalars.count) {
            problems.append(.init(field: "displayName", message: "must have 1 to 100 characters"))
        }
        return (username, displayName, problems)
    }

    /// The path of a unit in the caller's scope on which it holds `permission`; else a 422 on `homeUnitId`.
    static func homePath(_ unitID: UUID, _ permission: Permission, caller: Caller, transaction: PostgresTransaction) async throws -> String {
        guard let row = try await transaction.query("select path::text as path from org_unit where id = \(unitID)").first,
            case let path = try row.decode("path", as: String.self), caller.holds(permission, at: path)
        else {
            throw Problem.validation([.init(field: "homeUnitId", message: "no such unit in your scope")])
        }
        return path
    }

    /// Refuses (403) to act on an account holding any grant the caller could not have given it —
    /// on a unit outside the caller's subtrees or with a role it may not grant there — so a town
    /// admin cannot reset, disable or mint tokens for a county-level or peer account homed in its town.
    static func requireAuthority(over accountID: UUID, caller: Caller, transaction: PostgresTransaction) async throws {
        let grants = try await transaction.query("select role, unit_path from account_active_grants(\(accountID))")
        for row in grants {
            guard let role = Role(rawValue: try row.decode("role", as: String.self)) else { continue }
            let path = try row.decode("unit_path", as: String.self)
            let grantable = caller.grants.filter { Caller.path(path, isInside: $0.unitPath) }
                .reduce(into: Set<Role>()) { $0.formUnion($1.role.grantableRoles) }
            guard grantable.contains(role) else {
                throw Problem(
                    status: .forbidden,
                    code: "insufficient_authority",
                    title: "Account outside your authority",
                    detail: "This account holds roles you could not grant; an administrator above you must act on it."
                )
            }
        }
    }

    /// Inserts the account and its grants (409 `username_taken` on a duplicate username).
    static func insert(
        id: UUID,
        kind: Caller.Kind,
        username: String,
        displayName: String,
        homeUnitID: UUID,
        passwordHash: String?,
        grants: [UserController.GrantRequest],
        grantedBy: UUID,
        transaction: PostgresTransaction
    ) async throws {
        do {
            try await transaction.query(
                """
                insert into account (id, kind, username, display_name, home_unit_id, password_hash, must_change_password)
                values (\(id), \(kind.rawValue), \(username), \(displayName), \(homeUnitID), \(passwordHash), \(passwordHash != nil))
                """
            )
        } catch DatabaseError.uniqueViolation(let constraint, _) where constraint == "account_username_key" {
            throw Problem(
                status: .conflict,
                code: "username_taken",
                title: "Username in use",
                errors: [.init(field: "username", message: "is already used")]
            )
        }
        for grant in grants {
            try await transaction.query(
                """
                insert into role_grant (id, account_id, role, unit_id, granted_by)
                values (\(UUID()), \(id), \(grant.role.rawValue), \(grant.unitId), \(grantedBy))
                """
            )
        }
    }

    static func addGrant(_ role: Role, on unitID: UUID, to accountID: UUID, grantedBy: UUID, transaction: PostgresTransaction) async throws {
        // The same grant added twice at once (a double click) is one grant: the second finds the first.
        let added = try await transaction.query(
            """
            insert into role_grant (id, account_id, role, unit_id, granted_by)
            values (\(UUID()), \(accountID), \(role.rawValue), \(unitID), \(grantedBy))
            on conflict do nothing
            """
        ).affectedRows
        if added > 0 { try await self.changed(accountID, transaction: transaction) }
    }

    /// Revokes a grant still in force; the number of grants revoked (0 when another revoke came first).
    static func revokeGrant(_ grantID: UUID, of accountID: UUID, by revoker: UUID, transaction: PostgresTransaction) async throws -> Int {
        let revoked = try await transaction.query(
            "update role_grant set revoked_at = now(), revoked_by = \(revoker) where id = \(grantID) and revoked_at is null"
        ).affectedRows
        if revoked > 0 { try await self.changed(accountID, transaction: transaction) }
        return revoked
    }

    /// Locks an account for a change until the transaction ends, first of everything the change
    /// locks (grants come after). `for no key update`, as the change's own update of the account
    /// takes: it lets other transactions' foreign-key checks on the account (a grant it makes for
    /// another account, a new session) go on. An account the caller may not read is not locked.
    /// `units` are locked before it, `for key share` as a new grant's foreign key takes them: a grant
    /// waiting for a unit move to finish then does not hold the account (its owner's login) meanwhile.
    static func lock(_ accountID: UUID, after units: [UUID] = [], transaction: PostgresTransaction) async throws {
        if !units.isEmpty {
            try await transaction.query("select id from org_unit where id = any (\(units)) order by id for key share")
        }
        try await transaction.query("select id from account where id = \(accountID) for no key update")
    }

    /// A new version of the account (its grants or its second factor changed): the ETag an
    /// administrator read no longer matches.
    static func changed(_ accountID: UUID, transaction: PostgresTransaction) async throws {
        try await transaction.query("update account set version = version + 1, updated_at = now() where id = \(accountID)")
    }

    /// Sets a new password the owner must change at the next login, unlocks the account and ends its sessions.
    static func resetPassword(of accountID: UUID, hash: String, transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            update account set password_hash = \(hash), must_change_password = true, failed_logins = 0, locked_until = null,
                version = version + 1, updated_at = now() where id = \(accountID)
            """
        )
        try await self.endSessions(of: accountID, transaction: transaction)
    }

    /// Disables the account (once) and ends its sessions and tokens.
    static func disable(_ accountID: UUID, transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            update account set disabled_at = coalesce(disabled_at, now()), version = version + 1, updated_at = now() where id = \(accountID)
            """
        )
        try await self.endSessions(of: accountID, transaction: transaction)
    }

    static func endSessions(of accountID: UUID, transaction: PostgresTransaction) async throws {
        try await transaction.query("update credential set revoked_at = now() where account_id = \(accountID) and revoked_at is null")
    }

    /// Stores a service account's API token (hashed).
    static func insertToken(id: UUID, accountID: UUID, hash: Data, label: String?, expiresAt: Date, transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into credential (id, account_id, kind, token_hash, label, expires_at)
            values (\(id), \(accountID), 'api_token', \(hash), \(label), \(expiresAt))
            """
        )
    }

    /// Revokes a service account's API token; false when the account has no such token.
    static func revokeToken(_ tokenID: UUID, of accountID: UUID, transaction: PostgresTransaction) async throws -> Bool {
        try await !transaction.query(
            """
            update credential set revoked_at = coalesce(revoked_at, now())
            where id = \(tokenID) and account_id = \(accountID) and kind = 'api_token' returning id
            """
        ).isEmpty
    }

    /// The path of an active unit, nil for one that is missing or closed.
    static func activeUnitPath(_ unitID: UUID, transaction: PostgresTransaction) async throws -> String? {
        guard let row = try await transaction.query("select path::text as path, active from org_unit where id = \(unitID)").first,
            try row.decode("active", as: Bool.self)
        else { return nil }
        return try row.decode("path", as: String.self)
    }
}
