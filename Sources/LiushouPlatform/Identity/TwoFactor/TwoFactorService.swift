import Crypto
import Foundation
import HTTPTypes
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Enrolment in, and use of, the second factor (TOTP with one-time recovery codes). Every step is
/// audited; the secret is sealed with the identifier key and never logged.
public struct TwoFactorService: Sendable {
    /// What an authenticator app is given to enrol (the QR code carries `uri`).
    public struct Enrolment: Sendable, Encodable {
        /// Names this enrolment (not its secret); sent back with the code, it tells a code for an
        /// enrolment restarted since (another tab) from a wrong code.
        public var enrolment: String
        public var secret: String
        public var uri: String
        public var issuer: String
        public var account: String
        public var digits: Int
        public var period: Int64
    }

    /// A confirmed enrolment: the recovery codes, shown this once.
    public struct Confirmation: Sendable, Encodable {
        public var recoveryCodes: [String]
    }

    /// A session that gave its second factor.
    public struct Verification: Sendable, Encodable {
        public var verified: Bool
        /// After a recovery code: how many are left.
        public var recoveryCodesLeft: Int?
    }

    /// The name authenticator apps show above the account.
    public static let issuer = "Liushou"

    let database: TenantDatabase
    let vault: IdentifierVault
    let settings: AuthSettings
    let now: @Sendable () -> Date

    public init(database: TenantDatabase, vault: IdentifierVault, settings: AuthSettings, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.vault = vault
        self.settings = settings
        self.now = now
    }

    /// Whether the account has a confirmed authenticator, and whether its roles require one.
    public func state(of caller: Caller) async throws -> (enrolled: Bool, required: Bool) {
        try await self.database.unscoped { transaction in
            let row = try await transaction.query(
                """
                select * from auth_two_factor_state(\(caller.accountID), \(self.settings.secondFactorRoles.map(\.rawValue).sorted()))
                """
            ).first
            return (try row?.decode("enrolled", as: Bool.self) ?? false, try row?.decode("required", as: Bool.self) ?? false)
        }
    }

    /// Starts an enrolment with a new secret (a second call replaces an unconfirmed one).
    public func enrol(_ caller: Caller, context: AppRequestContext) async throws -> Enrolment {
        try Self.requireUser(caller)
        if caller.secondFactorDue == .code { throw Self.codeDue }
        let totp = TOTP.generate()
        let sealed = try self.vault.seal(totp.secret.base64EncodedString())
        try await self.database.unscoped { transaction in
            let started =
                try await transaction.query("select auth_two_factor_begin(\(caller.accountID), \(sealed)) as started").first?
                .decode("started", as: Bool.self) ?? false
            guard started else { throw Self.alreadyEnrolled }
            try await self.entry(caller, context, action: "two_factor.enrol_start").append(in: transaction)
        }
        return Enrolment(
            enrolment: Self.fingerprint(sealed),
            secret: totp.base32Secret,
            uri: totp.uri(issuer: Self.issuer, account: caller.name),
            issuer: Self.issuer,
            account: caller.name,
            digits: TOTP.digits,
            period: TOTP.period
        )
    }

    /// Confirms an enrolment with a code from the app: the session is verified and gets the recovery codes.
    public func confirm(_ caller: Caller, code: String, enrolment: String?, context: AppRequestContext) async throws -> Confirmation {
        try Self.requireUser(caller)
        if caller.secondFactorDue == .code { throw Self.codeDue }
        guard let stored = try await self.secret(of: caller), !stored.confirmed else {
            throw Problem(
                status: .conflict,
                code: "no_enrolment",
                title: "Nothing to confirm",
                detail: "Start an enrolment with POST /v1/auth/two-factor/enrol first."
            )
        }
        if let enrolment, enrolment != Self.fingerprint(stored.sealed) { throw Self.enrolmentReplaced }
        if let lockedUntil = stored.lockedUntil { throw Self.locked(until: lockedUntil, now: self.now()) }
        guard let step = stored.totp.matchingStep(code, at: self.now()) else {
            try await self.fail(caller, context: context, field: "code", action: "two_factor.enrol")
        }
        let codes = RecoveryCodes.generate()
        try await self.database.unscoped { transaction in
            // Confirms only the secret the code was checked against (an enrolment restarted in another
            // tab meanwhile has a new one).
            let confirmed =
                try await transaction.query(
                    """
                    select auth_two_factor_confirm(\(caller.accountID), \(caller.credentialID), \(stored.sealed), \(step),
                        \(codes.map(RecoveryCodes.digest))) as confirmed
                    """
                ).first?.decode("confirmed", as: Bool.self) ?? false
            guard confirmed else { throw Self.enrolmentReplaced }
            try await self.entry(caller, context, action: "two_factor.enrol").append(in: transaction)
        }
        return Confirmation(recoveryCodes: codes)
    }

    /// Verifies the session with a code from the app or a recovery code.
    public func verify(_ caller: Caller, code: String?, recoveryCode: String?, context: AppRequestContext) async throws -> Verification {
        try Self.requireUser(caller)
        guard caller.secondFactorDue == .code else {
            if caller.secondFactorDue == .enrolment { throw Self.notEnrolled }
            return Verification(verified: true, recoveryCodesLeft: nil)
        }
        guard let stored = try await self.secret(of: caller), stored.confirmed else { throw Self.notEnrolled }
        if let lockedUntil = stored.lockedUntil { throw Self.locked(until: lockedUntil, now: self.now()) }
        if let code {
            if let step = stored.totp.matchingStep(code, at: self.now()) {
                let accepted = try await self.database.unscoped { transaction in
                    let accepted =
                        try await transaction.query(
                            """
                            select auth_two_factor_use_code(\(caller.accountID), \(caller.credentialID), \(step)) as accepted
                            """
                        ).first?.decode("accepted", as: Bool.self) ?? false
                    if accepted { try await self.entry(caller, context, action: "two_factor.verify").append(in: transaction) }
                    return accepted
                }
                if accepted { return Verification(verified: true, recoveryCodesLeft: nil) }
                // A valid code already used (a replay, or a second tab): counted like a wrong one.
            }
        } else if let recoveryCode {
            let left = try await self.database.unscoped { transaction in
                let left =
                    try await transaction.query(
                        """
                        select auth_two_factor_use_recovery(\(caller.accountID), \(caller.credentialID), \(RecoveryCodes.digest(recoveryCode))) as left
                        """
                    ).first?.decode("left", as: Int.self) ?? -1
                if left >= 0 {
                    try await self.entry(caller, context, action: "two_factor.recovery_code", detail: ["left": String(left)]).append(in: transaction)
                }
                return left
            }
            if left >= 0 { return Verification(verified: true, recoveryCodesLeft: left) }
        }
        try await self.fail(caller, context: context, field: code != nil ? "code" : "recoveryCode")
    }

    /// Resets another account's authenticator (a lost phone), inside the caller's transaction; the
    /// caller has been checked to hold authority over the account. Answers whether there was one.
    public static func reset(account: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select auth_two_factor_reset(\(account)) as existed").first?.decode("existed", as: Bool.self) ?? false
    }

    private func fail(_ caller: Caller, context: AppRequestContext, field: String, action: String = "two_factor.verify") async throws -> Never {
        let seconds = self.settings.lockDuration.components.seconds
        let (ended, lockedUntil) = try await self.database.unscoped { transaction in
            let row = try await transaction.query(
                """
                select * from auth_two_factor_failed(\(caller.accountID), \(caller.credentialID), \(Int32(self.settings.maxSecondFactorFailures)),
                    \(Int32(self.settings.maxSecondFactorFailures * 2)), \("\(seconds) seconds")::interval)
                """
            ).first
            let ended = try row?.decode("session_ended", as: Bool.self) ?? false
            let locked = try row?.decode("locked_until", as: Date?.self)
            try await self.entry(
                caller,
                context,
                action: action,
                outcome: .denied,
                detail: ["reason": field == "code" ? "wrong_code" : "wrong_recovery_code", "session_ended": String(ended)]
            )
            .append(in: transaction)
            return (ended, locked)
        }
        if let lockedUntil { throw Self.locked(until: lockedUntil, now: self.now()) }
        if ended {
            throw Problem(
                status: .unauthorized,
                code: "session_ended",
                title: "Too many wrong codes",
                detail: "This session has ended after too many wrong codes. Log in again."
            )
        }
        throw field == "code" ? Self.wrongCode : Problem.validation([.init(field: field, message: "is not a valid recovery code")])
    }

    private func secret(of caller: Caller) async throws -> (totp: TOTP, sealed: Data, confirmed: Bool, lockedUntil: Date?)? {
        let row = try await self.database.unscoped { transaction in
            try await transaction.query("select * from auth_two_factor_secret(\(caller.accountID))").first
        }
        guard let row else { return nil }
        let sealed = try row.decode("secret_sealed", as: Data.self)
        guard let secret = Data(base64Encoded: try self.vault.open(sealed)) else {
            throw Problem.internalError
        }
        return (TOTP(secret: secret), sealed, try row.decode("confirmed"), try row.decode("locked_until"))
    }

    private func entry(
        _ caller: Caller,
        _ context: AppRequestContext,
        action: String,
        outcome: AuditEntry.Outcome = .success,
        detail: [String: String]? = nil
    ) -> AuditEntry {
        let home = caller.grants.first
        return AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: action,
            resource: "account",
            recordID: caller.accountID.uuidString.lowercased(),
            unitID: home?.unitID,
            unitPath: home?.unitPath,
            outcome: outcome,
            detail: detail
        )
    }

    private static func requireUser(_ caller: Caller) throws {
        guard caller.kind == .user else {
            throw Problem.forbidden("Service accounts use tokens, not a second factor.")
        }
    }

    /// A short public name of an enrolment: the start of the sealed secret's SHA-256.
    static func fingerprint(_ sealed: Data) -> String {
        Data(SHA256.hash(data: sealed).prefix(8)).hex
    }

    static let wrongCode = Problem.validation([.init(field: "code", message: "is not the code your authenticator app shows now")])
    static let codeDue = Problem(
        status: .forbidden,
        code: "second_factor_required",
        title: "Second factor required",
        detail: "Enter the code of your authenticator app with POST /v1/auth/two-factor/verify first."
    )
    static let alreadyEnrolled = Problem(
        status: .conflict,
        code: "already_enrolled",
        title: "Already enrolled",
        detail: "This account has an authenticator. A lost one is reset by an administrator above you."
    )
    static let enrolmentReplaced = Problem(
        status: .conflict,
        code: "enrolment_replaced",
        title: "Enrolment restarted",
        detail: "The enrolment was restarted elsewhere: scan the new QR code and enter its code."
    )
    static let notEnrolled = Problem(
        status: .conflict,
        code: "not_enrolled",
        title: "No authenticator",
        detail: "This account has no authenticator yet: enrol with POST /v1/auth/two-factor/enrol."
    )

    static func locked(until: Date, now: Date) -> Problem {
        var problem = Problem(
            status: .tooManyRequests,
            code: "second_factor_locked",
            title: "Too many wrong codes",
            detail: "Too many wrong codes for this account. Try again later."
        )
        problem.retryAfterSeconds = max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        return problem
    }
}
