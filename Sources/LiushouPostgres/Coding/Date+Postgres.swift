import Foundation

extension Date: PostgresCodable {
    public static var postgresType: PostgresType { .timestamptz }
    public static var postgresArrayType: PostgresType? { .timestamptzArray }

    /// ISO 8601 in UTC with microseconds, e.g. `2026-11-29T09:30:00.123456Z`.
    public var postgresText: String {
        let micros = (self.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.0e18 else {
            return micros < 0 ? "-infinity" : "infinity"
        }
        let totalMicros = Int64(micros)
        let perDay: Int64 = 86_400_000_000
        var days = totalMicros / perDay
        var remainder = totalMicros % perDay
        if remainder < 0 {
            remainder += perDay
            days -= 1
        }
        let civil = CivilTime.civil(days: Int(days))
        let seconds = Int(remainder / 1_000_000)
        let fraction = Int(remainder % 1_000_000)
        return CivilTime.pad(civil.year, 4) + "-" + CivilTime.pad(civil.month, 2) + "-" + CivilTime.pad(civil.day, 2)
            + "T" + CivilTime.pad(seconds / 3600, 2) + ":" + CivilTime.pad(seconds / 60 % 60, 2) + ":"
            + CivilTime.pad(seconds % 60, 2) + "." + CivilTime.pad(fraction, 6) + "Z"
    }

    /// Decodes `timestamptz` (the session runs in UTC), `timestamp` (taken as UTC) and `date` (UTC midnight).
    public static func decode(from cell: PostgresCell) throws -> Date {
        let text = try cell.text(decodingAs: Date.self, accepting: [.timestamptz, .timestamp, .date])
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        guard let date = Self.parsePostgresTimestamp(Substring(text)) else {
            throw cell.invalidText(for: Date.self)
        }
        return date
    }

    /// Parses `YYYY-MM-DD[ HH:MM:SS[.ffffff]][+HH[:MM[:SS]]]`.
    static func parsePostgresTimestamp(_ text: Substring) -> Date? {
        guard let (days, rest) = CivilTime.parseDate(text) else { return nil }
        var seconds = Double(days) * 86_400
        guard !rest.isEmpty else { return Date(timeIntervalSince1970: seconds) }
        guard rest.first == " " || rest.first == "T" else { return nil }
        let body = rest.dropFirst()
        let zoneStart = body.firstIndex(where: { $0 == "+" || $0 == "-" || $0 == "Z" }) ?? body.endIndex
        let clock = body[..<zoneStart].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, let hours = Int(clock[0]), let minutes = Int(clock[1]), let secs = Double(clock[2]) else {
            return nil
        }
        seconds += Double(hours * 3600 + minutes * 60) + secs
        let zone = body[zoneStart...]
        if let sign = zone.first, sign != "Z" {
            let parts = zone.dropFirst().split(separator: ":")
            var offset = 0
            for (index, part) in parts.enumerated() {
                guard let value = Int(part), index < 3 else { return nil }
                offset += value * [3600, 60, 1][index]
            }
            seconds -= Double(sign == "-" ? -offset : offset)
        }
        return Date(timeIntervalSince1970: seconds)
    }
}
