import Foundation
import LiushouAccess
import LiushouPostgres

/// The account a login names, as the login check needs it.
public struct LoginCandidate: Sendable {
    public var accountID: UUID
    public var passwordHash: String?
    public var mustChangePassword: Bool
    public var lockedUntil: Date?
    public var disabled: Bool
    public var homeUnitID: UUID
    public var homeUnitPath: String
}

/// A verified credential: the caller and whether it must change its password first.
public struct AuthenticatedCredential: Sendable {
    public var caller: Caller
    public var mustChangePassword: Bool
}

/// Storage behind login, sessions and token checks.
public protocol AuthRepository: Sendable {
    /// The user account with this username, if any.
    func loginCandidate(username: String) async throws -> LoginCandidate?
    /// Counts an attempt before its password is checked; false when the account is locked or disabled.
    func beginLogin(accountID: UUID, maxFailures: Int, lockFor: Duration) async throws -> Bool
    /// Settles a checked attempt; true when the login succeeds.
    func finishLogin(accountID: UUID, success: Bool, maxFailures: Int, lockFor: Duration) async throws -> Bool
    /// Stores a new session's hash, with the second factor it still owes.
    func openSession(id: UUID, accountID: UUID, tokenHash: Data, expiresAt: Date, clientAddress: String?, secondFactor: SecondFactorDue?) async throws
    /// Whether the account has a confirmed authenticator, and whether one of `roles` asks for it.
    func twoFactorState(accountID: UUID, roles: Set<Role>) async throws -> (enrolled: Bool, required: Bool)
    /// The caller behind a token hash, if the credential is alive, with the second factor its session
    /// owes now (an authenticator confirmed, or one of `secondFactorRoles` held, since login counts).
    func authenticate(tokenHash: Data, sessionIdle: Duration, secondFactorRoles: Set<Role>) async throws -> AuthenticatedCredential?
    /// Revokes one of the account's own sessions or tokens.
    func revoke(credentialID: UUID, accountID: UUID) async throws
    /// Sets the caller's own password, clears the must-change flag and ends its other sessions.
    func setOwnPassword(accountID: UUID, keeping credentialID: UUID, hash: String) async throws
    /// Replaces a password hash of another bcrypt cost after a successful login, if it is still `checked`.
    func rehashPassword(accountID: UUID, checked: String, new: String) async throws
}

/// `AuthRepository` on PostgreSQL, through the `auth_*` security-definer functions.
public struct PostgresAuthRepository: AuthRepository {
    let database: TenantDatabase
    /// Token checks arriving at the same moment go to the database in one statement.
    let tokenChecks = GroupCommit<TokenCheckRules, Data, AuthenticatedCredential?>(maxBatch: 200, maxWriters: 4)

    /// What token checks sent in one statement share.
    struct TokenCheckRules: Hashable, Sendable {
        var idleSeconds: Int64
        var secondFactorRoles: [String]
    }

    /// A repository on the server's database.
    public init(database: TenantDatabase) {
        self.database = database
    }

    public func loginCandidate(username: String) async throws -> LoginCandidate? {
        try await self.database.unscoped { transaction in
            guard let row = try await transaction.query("select * from auth_login_candidate(\(username))").first else { return nil }
            return LoginCandidate(
                accountID: try row.decode("account_id"),
                passwordHash: try row.decode("password_hash"),
                mustChangePassword: try row.decode("must_change_password"),
                lockedUntil: try row.decode("locked_until"),
                disabled: try row.decode("disabled"),
                homeUnitID: try row.decode("home_unit_id"),
                homeUnitPath: try row.decode("home_unit_path")
            )
        }
    }

    public func beginLogin(accountID: UUID, maxFailures: Int, lockFor: Duration) async throws -> Bool {
        try await self.database.unscoped { transaction in
            try await transaction.query(
                """
                select auth_begin_login(\(accountID), \(Int32(maxFailures)), \("\(lockFor.components.seconds) seconds")::interval) as allowed
                """
            ).first?.decode("allowed", as: Bool.self) ?? false
        }
    }

    public func finishLogin(accountID: UUID, success: Bool, maxFailures: Int, lockFor: Duration) async throws -> Bool {
        try await self.database.unscoped { transaction in
            try await transaction.query(
                """
                select auth_finish_login(\(accountID), \(success), \(Int32(maxFailures)), \("\(lockFor.components.seconds) seconds")::interval) as accepted
                """
            ).first?.decode("accepted", as: Bool.self) ?? false
        }
    }

    public func openSession(
        id: UUID,
        accountID: UUID,
        tokenHash: Data,
        expiresAt: Date,
        clientAddress: String?,
        secondFactor: SecondFactorDue?
    ) async throws {
        try await self.database.unscoped { transaction in
            try await transaction.query(
                """
                select auth_open_session(\(id), \(accountID), \(tokenHash), \(expiresAt), \(clientAddress), \(secondFactor?.rawValue))
                """
            )
        }
    }

    public func twoFactorState(accountID: UUID, roles: Set<Role>) async throws -> (enrolled: Bool, required: Bool) {
        try await self.database.unscoped { transaction in
            let row = try await transaction.query("select * from auth_two_factor_state(\(accountID), \(roles.map(\.rawValue).sorted()))").first
            return (try row?.decode("enrolled", as: Bool.self) ?? false, try row?.decode("required", as: Bool.self) ?? false)
        }
    }

    public func authenticate(tokenHash: Data, sessionIdle: Duration, secondFactorRoles: Set<Role>) async throws -> AuthenticatedCredential? {
        let rules = TokenCheckRules(idleSeconds: sessionIdle.components.seconds, secondFactorRoles: secondFactorRoles.map(\.rawValue).sorted())
        return try await self.tokenChecks.submit(tokenHash, key: rules) { rules, hashes in
            let rows = try await self.database.unscopedStatement(
                "select * from auth_authenticate_many(\(hashes), \("\(rules.idleSeconds) seconds")::interval, \(rules.secondFactorRoles))"
            )
            var byHash: [Data: [PostgresRow]] = [:]
            for row in rows {
                byHash[try row.decode("token_hash", as: Data.self), default: []].append(row)
            }
            return try hashes.map { try Self.credential(from: byHash[$0] ?? []) }
        }
    }

    /// The credential a token check's rows describe (one row per grant), or nil without rows.
    static func credential(from rows: [PostgresRow]) throws -> AuthenticatedCredential? {
        guard let first = rows.first else { return nil }
        var grants: [Grant] = []
        for row in rows {
            guard let roleName = try row.decode("role", as: String?.self), let role = Role(rawValue: roleName),
                let unitID = try row.decode("unit_id", as: UUID?.self), let path = try row.decode("unit_path", as: String?.self)
            else { continue }
            grants.append(Grant(role: role, unitID: unitID, unitPath: path))
        }
        let kind = Caller.Kind(rawValue: try first.decode("kind", as: String.self)) ?? .user
        var caller = Caller(
            accountID: try first.decode("account_id"),
            name: try first.decode("username"),
            kind: kind,
            grants: grants,
            credentialID: try first.decode("credential_id")
        )
        caller.secondFactorDue = try first.decode("second_factor", as: String?.self).flatMap(SecondFactorDue.init(rawValue:))
        return AuthenticatedCredential(caller: caller, mustChangePassword: try first.decode("must_change_password"))
    }

    public func setOwnPassword(accountID: UUID, keeping credentialID: UUID, hash: String) async throws {
        try await self.database.unscoped(account: accountID) { transaction in
            try await transaction.query("select auth_set_own_password(\(accountID), \(credentialID), \(hash))")
        }
    }

    public func rehashPassword(accountID: UUID, checked: String, new: String) async throws {
        try await self.database.unscoped { transaction in
            try await transaction.query("select auth_rehash_password(\(accountID), \(checked), \(new))")
        }
    }

    public func revoke(credentialID: UUID, accountID: UUID) async throws {
        try await self.database.unscoped(account: accountID) { transaction in
            try await transaction.query("select auth_revoke_credential(\(credentialID))")
        }
    }
}
