import Foundation

/// A calendar date without time or zone (birth dates, signing dates), stored as PostgreSQL `date`.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible, LosslessStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A validated date; `nil` for impossible dates such as February 30.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), CivilTime.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ description: String) {
        guard description.count == 10, let (days, rest) = CivilTime.parseDate(Substring(description)), rest.isEmpty else {
            return nil
        }
        self.init(daysSince1970: days)
    }

    /// Parses `YYYY-MM-DD` sent by a client: `nil` also for years outside `Date.plausibleYears`.
    public init?(input: String) {
        guard let date = LocalDate(input), Date.plausibleYears.contains(date.year) else { return nil }
        self = date
    }

    /// The date `days` after 1970-01-01.
    public init(daysSince1970 days: Int) {
        let civil = CivilTime.civil(days: days)
        self.year = civil.year
        self.month = civil.month
        self.day = civil.day
    }

    /// Days since 1970-01-01.
    public var daysSince1970: Int {
        CivilTime.days(year: self.year, month: self.month, day: self.day)
    }

    public var description: String {
        CivilTime.pad(self.year, 4) + "-" + CivilTime.pad(self.month, 2) + "-" + CivilTime.pad(self.day, 2)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = LocalDate(input: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a date as YYYY-MM-DD, years 1900 to 2100")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}

extension LocalDate: PostgresCodable {
    public static var postgresType: PostgresType { .date }
    public static var postgresArrayType: PostgresType? { .dateArray }
    public var postgresText: String { self.description }

    public static func decode(from cell: PostgresCell) throws -> LocalDate {
        let text = try cell.text(decodingAs: LocalDate.self, accepting: [.date])
        guard let date = LocalDate(text) else { throw cell.invalidText(for: LocalDate.self) }
        return date
    }
}
