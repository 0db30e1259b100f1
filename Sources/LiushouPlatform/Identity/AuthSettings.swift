import LiushouAccess

/// Session and lockout rules (等保 level 3 practice).
public struct AuthSettings: Sendable {
    /// A session dies after this long without use.
    public var sessionIdle: Duration = .seconds(30 * 60)
    /// A session dies this long after login, used or not.
    public var sessionLifetime: Duration = .seconds(12 * 3600)
    /// Failed logins in a row that lock the account.
    public var maxFailedLogins: Int = 5
    /// How long a locked account stays locked.
    public var lockDuration: Duration = .seconds(15 * 60)

    /// Roles whose accounts must use a second factor (TOTP) after their password; empty: nobody
    /// must (accounts that enrolled anyway are still asked). The server's default names the county and
    /// town administrators and auditors (`LIUSHOU_TWO_FACTOR_ROLES`).
    public var secondFactorRoles: Set<Role> = []
    /// Wrong codes a session may send before it is ended.
    public var maxSecondFactorFailures: Int = 5

    /// Waits for addresses and usernames that keep failing (429 with Retry-After).
    public var throttle = LoginThrottle.Settings()

    public init() {}
}
