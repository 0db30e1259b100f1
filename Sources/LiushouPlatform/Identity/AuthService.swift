import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPostgres
import Logging

/// Login, logout and token verification.
public struct AuthService: Sendable {
    /// A new session's token, shown once.
    public struct Session: Sendable, Encodable {
        public var token: String
        public var expiresAt: Date
        public var idleTimeoutSeconds: Int
        public var mustChangePassword: Bool
        /// `pending` (a code is due) or `enrol` (an authenticator must be enrolled) before anything else.
        public var secondFactor: String?
    }

    let repository: any AuthRepository
    let hasher: PasswordHasher
    let settings: AuthSettings
    let database: TenantDatabase
    /// Waits imposed on addresses and usernames that keep failing, checked before any bcrypt.
    public let throttle: LoginThrottle

    /// Tags what was typed as a username when no account has it (see `audit`).
    let vault: IdentifierVault?

    /// A service over `repository`.
    public init(
        repository: any AuthRepository,
        hasher: PasswordHasher,
        settings: AuthSettings,
        database: TenantDatabase,
        vault: IdentifierVault? = nil
    ) {
        self.repository = repository
        self.hasher = hasher
        self.settings = settings
        self.database = database
        self.vault = vault
        self.throttle = LoginThrottle(settings: settings.throttle)
    }

    /// The same answer for unknown users, wrong passwords, locked and disabled accounts.
    static let loginFailed = Problem(
        status: .unauthorized,
        code: "login_failed",
        title: "Login failed",
        detail: "Wrong username or password, or the account is locked or disabled."
    )

    /// Checks a password and opens a session. Every attempt is audited; the time taken does not
    /// depend on whether the username exists.
    public func login(username: String, password: String, context: AppRequestContext) async throws -> Session {
        let ticket = try self.throttle.admit(address: context.clientAddress, username: username)
        var succeeded = false
        defer { self.throttle.finish(ticket, success: succeeded) }
        let session = try await self.checkAndOpen(username: username, password: password, context: context)
        succeeded = true
        return session
    }

    private func checkAndOpen(username: String, password: String, context: AppRequestContext) async throws -> Session {
        let settings = self.settings
        let candidate = try await self.repository.loginCandidate(username: username)
        // Every path makes the same database calls and one bcrypt verification.
        let allowed = try await self.repository.beginLogin(
            accountID: candidate?.accountID ?? UUID(),
            maxFailures: settings.maxFailedLogins,
            lockFor: settings.lockDuration
        )
        guard let candidate, allowed else {
            _ = try await self.hasher.verify(password, against: nil)
            _ = try await self.repository.finishLogin(
                accountID: UUID(),
                success: false,
                maxFailures: settings.maxFailedLogins,
                lockFor: settings.lockDuration
            )
            let reason = candidate == nil ? "unknown_user" : (candidate?.disabled == true ? "disabled" : "locked")
            try await self.audit(context: context, candidate: candidate, name: username, outcome: .denied, reason: reason)
            throw Self.loginFailed
        }
        let matches = try await self.hasher.verify(password, against: candidate.passwordHash)
        let accepted = try await self.repository.finishLogin(
            accountID: candidate.accountID,
            success: matches,
            maxFailures: settings.maxFailedLogins,
            lockFor: settings.lockDuration
        )
        guard accepted else {
            try await self.audit(
                context: context,
                candidate: candidate,
                name: username,
                outcome: .denied,
                reason: matches ? "locked" : "wrong_password"
            )
            throw Self.loginFailed
        }
        if let stored = candidate.passwordHash, PasswordHasher.cost(of: stored) != self.hasher.cost {
            // Checked at another cost than the decoy: bring it to the current cost so timing tells nothing.
            try await self.repository.rehashPassword(accountID: candidate.accountID, checked: stored, new: try await self.hasher.hash(password))
        }
        let twoFactor = try await self.repository.twoFactorState(accountID: candidate.accountID, roles: self.settings.secondFactorRoles)
        let due: SecondFactorDue? = twoFactor.enrolled ? .code : (twoFactor.required ? .enrolment : nil)
        let token = BearerToken.generate(prefix: "lss_")
        let credentialID = UUID()
        let expiresAt = Date().addingTimeInterval(TimeInterval(self.settings.sessionLifetime.components.seconds))
        try await self.repository.openSession(
            id: credentialID,
            accountID: candidate.accountID,
            tokenHash: BearerToken.hash(token),
            expiresAt: expiresAt,
            clientAddress: context.clientAddress,
            secondFactor: due
        )
        try await self.audit(context: context, candidate: candidate, name: username, outcome: .success, reason: nil, credentialID: credentialID)
        return Session(
            token: token,
            expiresAt: expiresAt,
            idleTimeoutSeconds: Int(self.settings.sessionIdle.components.seconds),
            mustChangePassword: candidate.mustChangePassword,
            secondFactor: due?.rawValue
        )
    }

    /// The caller behind a bearer token, or `nil` when the token is unknown, expired, revoked or its account disabled.
    public func authenticate(token: String) async throws -> Caller? {
        guard token.count <= 200,
            let credential = try await self.repository.authenticate(
                tokenHash: BearerToken.hash(token),
                sessionIdle: self.settings.sessionIdle,
                secondFactorRoles: self.settings.secondFactorRoles
            )
        else { return nil }
        var caller = credential.caller
        caller.mustChangePassword = credential.mustChangePassword
        return caller
    }

    /// Changes the caller's own password after checking the current one and the policy. A wrong
    /// current password counts as a failed login (throttle and lockout alike): a session left open
    /// on a shared desk must not become an unlimited password guesser.
    public func changePassword(_ caller: Caller, current: String, new: String, context: AppRequestContext) async throws {
        var problems = PasswordPolicy.problems(with: new, field: "newPassword")
        if new == current { problems.append(.init(field: "newPassword", message: "must differ from the current password")) }
        guard caller.kind == .user else {
            try await self.audit(caller, context: context, action: "password.change", resource: "account", record: caller.accountID, outcome: .denied)
            throw Problem.validation([.init(field: "currentPassword", message: "is not your current password")] + problems)
        }
        let ticket = try self.throttle.admit(address: context.clientAddress, username: caller.name)
        var matched = false
        defer { self.throttle.finish(ticket, success: matched) }
        let settings = self.settings
        let allowed = try await self.repository.beginLogin(
            accountID: caller.accountID,
            maxFailures: settings.maxFailedLogins,
            lockFor: settings.lockDuration
        )
        let candidate = try await self.repository.loginCandidate(username: caller.name)
        // One bcrypt whether or not the account is locked now.
        let verified = try await self.hasher.verify(current, against: candidate?.passwordHash)
        matched = allowed && verified
        let accepted = try await self.repository.finishLogin(
            accountID: caller.accountID,
            success: matched,
            maxFailures: settings.maxFailedLogins,
            lockFor: settings.lockDuration
        )
        guard accepted, candidate != nil else {
            try await self.audit(caller, context: context, action: "password.change", resource: "account", record: caller.accountID, outcome: .denied)
            if !allowed || matched {
                // Locked by earlier wrong passwords (here or at login).
                throw Problem(
                    status: .tooManyRequests,
                    code: "account_locked",
                    title: "Account locked",
                    detail: "Too many wrong passwords: the account is locked for a while. Try again later."
                )
            }
            throw Problem.validation([.init(field: "currentPassword", message: "is not your current password")] + problems)
        }
        guard problems.isEmpty else { throw Problem.validation(problems) }
        try await self.repository.setOwnPassword(accountID: caller.accountID, keeping: caller.credentialID, hash: try await self.hasher.hash(new))
        try await self.audit(caller, context: context, action: "password.change", resource: "account", record: caller.accountID)
    }

    /// Revokes the caller's current session or token.
    public func logout(_ caller: Caller, context: AppRequestContext) async throws {
        try await self.repository.revoke(credentialID: caller.credentialID, accountID: caller.accountID)
        try await self.audit(caller, context: context, action: "logout", resource: "credential", record: caller.credentialID)
    }

    /// Audits a caller's own step on its account or credential, outside any scoped transaction.
    private func audit(
        _ caller: Caller,
        context: AppRequestContext,
        action: String,
        resource: String,
        record: UUID,
        outcome: AuditEntry.Outcome = .success
    ) async throws {
        try await self.database.unscoped { transaction in
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: action,
                resource: resource,
                recordID: record.uuidString.lowercased(),
                outcome: outcome
            ).append(in: transaction)
        }
    }

    private func audit(
        context: AppRequestContext,
        candidate: LoginCandidate?,
        name: String,
        outcome: AuditEntry.Outcome,
        reason: String?,
        credentialID: UUID? = nil
    ) async throws {
        var entry = AuditEntry(
            caller: nil,
            origin: AuditOrigin(context),
            action: "login",
            resource: "credential",
            recordID: credentialID?.uuidString.lowercased(),
            unitID: candidate?.homeUnitID,
            unitPath: candidate?.homeUnitPath,
            outcome: outcome,
            detail: reason.map { ["reason": $0] }
        )
        entry.accountID = candidate?.accountID
        // A name no account has is kept as a keyed tag only: it is often a password typed into the
        // wrong field, or a phone number, and the audit log can never be redacted. The tag still
        // shows an auditor that one name was tried again and again.
        entry.accountName = candidate != nil ? String(name.prefix(64)) : "未知用户名 \(self.vault?.tag(name.lowercased()) ?? "")"

        try await self.database.unscoped { transaction in
            try await entry.append(in: transaction)
        }
    }
}
