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

    /// Waits for addresses and usernames that keep failing (429 with Retry-After).
    public var throttle = LoginThrottle.Settings()

    /// The defaults above.
    public init() {}
}
