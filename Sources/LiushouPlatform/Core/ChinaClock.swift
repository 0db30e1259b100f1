import Foundation
import LiushouPostgres

/// The time and the calendar date in China (UTC+8, no daylight saving): deadlines, ages and "today"
/// of every module come from here, so a test can fix the day (`ChinaClock.fixed`) instead of
/// depending on when it runs.
public struct ChinaClock: Sendable {
    private let read: @Sendable () -> Date

    /// A clock reading `now`.
    public init(now: @escaping @Sendable () -> Date) {
        self.read = now
    }

    /// The machine's clock.
    public static let system = ChinaClock(now: { Date() })

    /// A clock stopped at `date`.
    public static func fixed(_ date: Date) -> ChinaClock {
        ChinaClock(now: { date })
    }

    public func now() -> Date {
        self.read()
    }

    /// Today's date in China.
    public func today() -> LocalDate {
        Self.today(at: self.read())
    }

    /// The date in China at an instant.
    public static func today(at instant: Date) -> LocalDate {
        LocalDate(daysSince1970: Int(floor((instant.timeIntervalSince1970 + 8 * 3600) / 86_400)))
    }
}
