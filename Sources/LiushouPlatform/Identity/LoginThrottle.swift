import Foundation
import HTTPTypes
import LiushouHTTP
import Synchronization

/// Slows password guessing before any bcrypt runs. Failed logins are counted per client address and
/// per username; past a free allowance each further failure doubles a wait (up to `maximumDelay`)
/// during which attempts answer 429 with `Retry-After` at once, without hashing. An address may also
/// have only a few logins in flight, so a burst cannot start bcrypts faster than failures are counted.
/// Counts fade after `window` without failures. The account lockout (`AuthSettings.maxFailedLogins`)
/// still applies to known accounts; this bounds what an attacker cycling usernames can cost.
///
/// The state is the process's own: behind a load balancer each instance throttles on its own.
public final class LoginThrottle: Sendable {
    public struct Settings: Sendable {
        /// Failures from one address before waits begin (a village office shares one address).
        public var freeFailuresPerAddress = 20
        /// Failures for one username before waits begin (known accounts lock after 5 anyway).
        public var freeFailuresPerUsername = 10
        /// Logins of one address being checked at once.
        public var maxInFlightPerAddress = 4
        /// The first wait; each further failure doubles it.
        public var baseDelay: Duration = .seconds(1)
        public var maximumDelay: Duration = .seconds(15 * 60)
        /// Counts are forgotten after this long without a failure.
        public var window: Duration = .seconds(15 * 60)
        /// Keys remembered at most (older, unblocked ones are dropped first).
        public var maxKeys = 100_000

        public init() {}
    }

    struct Entry {
        var failures = 0
        var lastFailure: ContinuousClock.Instant
        var blockedUntil: ContinuousClock.Instant?
        var inFlight = 0
    }

    /// A login being checked; hand it back to `finish`.
    public struct Ticket: Sendable {
        let address: String
        let username: String
    }

    public let settings: Settings
    private let entries = Mutex<[String: Entry]>([:])
    private let clock = ContinuousClock()

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Admits a login attempt or throws 429 `too_many_attempts` with `Retry-After`.
    public func admit(address: String?, username: String) throws -> Ticket {
        let ticket = Ticket(address: "a:" + (address ?? "unknown"), username: "u:" + username.lowercased())
        let now = self.clock.now
        let waitSeconds: Int? = self.entries.withLock { entries in
            var wait: Duration = .zero
            for key in [ticket.address, ticket.username] {
                guard var entry = entries[key] else { continue }
                if entry.inFlight == 0, entry.blockedUntil.map({ $0 <= now }) ?? true, now - entry.lastFailure > self.settings.window {
                    entry.failures = 0
                    entry.blockedUntil = nil
                    entries[key] = entry
                }
                if let until = entry.blockedUntil, until > now { wait = max(wait, until - now) }
            }
            if wait > .zero { return Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)) }
            if let entry = entries[ticket.address], entry.inFlight >= self.settings.maxInFlightPerAddress { return 1 }
            if entries.count >= self.settings.maxKeys { Self.prune(&entries, now: now, window: self.settings.window) }
            entries[ticket.address, default: Entry(lastFailure: now - self.settings.window - .seconds(1))].inFlight += 1
            return nil
        }
        if let waitSeconds {
            throw Problem(
                status: .tooManyRequests,
                code: "too_many_attempts",
                title: "Too many login attempts",
                detail: "登录尝试过多，请 \(max(1, waitSeconds)) 秒后再试。",
                retryAfterSeconds: max(1, waitSeconds)
            )
        }
        return ticket
    }

    /// Records how the admitted attempt ended. A failure may start or lengthen a wait; a success
    /// clears the username's count (not the address's: one good account must not buy more guesses).
    public func finish(_ ticket: Ticket, success: Bool) {
        let now = self.clock.now
        self.entries.withLock { entries in
            if var entry = entries[ticket.address] {
                entry.inFlight = max(0, entry.inFlight - 1)
                entries[ticket.address] = entry
            }
            guard !success else {
                entries[ticket.username] = nil
                return
            }
            for (key, free) in [(ticket.address, self.settings.freeFailuresPerAddress), (ticket.username, self.settings.freeFailuresPerUsername)] {
                var entry = entries[key] ?? Entry(lastFailure: now)
                if now - entry.lastFailure > self.settings.window, entry.blockedUntil.map({ $0 <= now }) ?? true { entry.failures = 0 }
                entry.failures += 1
                entry.lastFailure = now
                if entry.failures > free {
                    let doublings = min(entry.failures - free - 1, 30)
                    let delay = min(self.settings.maximumDelay, self.settings.baseDelay * (1 << doublings))
                    entry.blockedUntil = now + delay
                }
                entries[key] = entry
            }
        }
    }

    /// Whether any wait is running for this address or username (for tests and metrics).
    public func isWaiting(address: String?, username: String) -> Bool {
        let now = self.clock.now
        return self.entries.withLock { entries in
            ["a:" + (address ?? "unknown"), "u:" + username.lowercased()].contains { entries[$0]?.blockedUntil.map { $0 > now } ?? false }
        }
    }

    private static func prune(_ entries: inout [String: Entry], now: ContinuousClock.Instant, window: Duration) {
        entries = entries.filter { _, entry in
            entry.inFlight > 0 || (entry.blockedUntil.map { $0 > now } ?? false) || now - entry.lastFailure <= window
        }
    }
}
