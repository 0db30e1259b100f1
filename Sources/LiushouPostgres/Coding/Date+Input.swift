import Foundation

extension Date {
    /// Years a date or time sent by a client may fall in: earlier or later is a typing slip (or a
    /// probe), and PostgreSQL's date arithmetic on such years can overflow.
    public static let plausibleYears: ClosedRange<Int> = 1900...2100

    /// Parses an RFC 3339 timestamp as clients send it: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`,
    /// with every part in range (`T25:00:00` and February 30 are refused, never rolled over) and the
    /// year plausible. Fractional seconds are kept to the microsecond, as PostgreSQL stores them.
    public init?(rfc3339 text: String) {
        let utf8 = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= utf8.count else { return nil }
            var value = 0
            for byte in utf8[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < utf8.count ? utf8[index] : nil }
        guard utf8.count >= 20, let year = number(0..<4), byte(4) == UInt8(ascii: "-"), let month = number(5..<7),
            byte(7) == UInt8(ascii: "-"), let day = number(8..<10), byte(10) == UInt8(ascii: "T") || byte(10) == UInt8(ascii: "t"),
            let hour = number(11..<13), byte(13) == UInt8(ascii: ":"), let minute = number(14..<16), byte(16) == UInt8(ascii: ":"),
            let second = number(17..<19),
            Self.plausibleYears.contains(year), CivilTime.isValid(year: year, month: month, day: day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var micros = 0
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while let next = byte(index), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) {
                if digits < 6 { micros = micros * 10 + Int(next - UInt8(ascii: "0")) }
                digits += 1
                index += 1
            }
            guard (1...9).contains(digits) else { return nil }
            for _ in min(digits, 6)..<6 { micros *= 10 }
        }
        var offset = 0
        switch byte(index) {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let hours = number(index + 1..<index + 3), byte(index + 3) == UInt8(ascii: ":"),
                let minutes = number(index + 4..<index + 6), hours <= 14, minutes < 60
            else { return nil }
            offset = (hours * 3600 + minutes * 60) * (byte(index) == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            return nil
        }
        guard index == utf8.count else { return nil }
        let seconds = CivilTime.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        self.init(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }

    /// A time sent in a query string: `init(rfc3339:)`, with a space read as the offset's `+` (form
    /// decoding turns a `+` the client did not percent-encode into a space, and in a time it can
    /// only be the offset's sign).
    public init?(queryTime text: String) {
        guard let date = Date(rfc3339: text) ?? Date(rfc3339: text.replacingOccurrences(of: " ", with: "+")) else { return nil }
        self = date
    }

    /// The JSON decoding strategy for request bodies: `init(rfc3339:)`, failing with the field's path.
    public static let requestDecodingStrategy = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = Date(rfc3339: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a time like 2026-06-15T09:30:00+08:00, in range, years 1900 to 2100"
            )
        }
        return date
    }
}
