import LiushouAccess
import LiushouPostgres

/// An 18-character 公民身份号码 (GB 11643-1999): 6-digit area, birth date YYYYMMDD, 3-digit sequence
/// (odd for men, even for women) and an ISO 7064 MOD 11-2 check character (0–9 or X).
public struct ResidentIDNumber: Hashable, Sendable, CustomStringConvertible {
    /// Sex as encoded by the sequence's last digit.
    public enum Sex: String, Sendable, Codable {
        case male
        case female
    }

    /// Why a number is not valid.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case length
        case characters
        case birthDate
        case checkCharacter(expected: Character)

        public var description: String {
            switch self {
            case .length: return "must have 18 characters"
            case .characters: return "must be 17 digits followed by a digit or X"
            case .birthDate: return "holds no real birth date (characters 7–14 are YYYYMMDD)"
            case .checkCharacter: return "has a wrong check character; the number was probably mistyped"
            }
        }
    }

    /// The normalised number (upper-case X).
    public let value: String
    /// The 6-digit area code (retired codes are accepted).
    public let areaCode: String
    /// The birth date encoded in the number.
    public let birthDate: LocalDate
    /// The sex encoded in the number.
    public let sex: Sex

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Validates and parses a number; lower-case `x` is accepted and normalised.
    public init(_ text: String) throws {
        if let parsed = try Self.parseDigits(text) {
            self = parsed
            return
        }
        let normalised = text.uppercased()
        let characters = Array(normalised)
        guard characters.count == 18 else { throw Problem.length }
        let body = characters.prefix(17)
        guard body.allSatisfy({ $0.isASCII && $0.isNumber }), let last = characters.last, (last.isASCII && last.isNumber) || last == "X" else {
            throw Problem.characters
        }
        let digits = body.map { Int(String($0))! }
        guard let year = Int(String(characters[6..<10])), let month = Int(String(characters[10..<12])),
            let day = Int(String(characters[12..<14])), year >= 1900, let birth = LocalDate(year: year, month: month, day: day)
        else { throw Problem.birthDate }
        let sum = zip(digits, Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
        let expected = Self.checkCharacters[sum % 11]
        guard last == expected else { throw Problem.checkCharacter(expected: expected) }
        self.value = normalised
        self.areaCode = String(characters[0..<6])
        self.birthDate = birth
        self.sex = digits[16] % 2 == 1 ? .male : .female
    }

    private init(value: String, areaCode: String, birthDate: LocalDate, sex: Sex) {
        self.value = value
        self.areaCode = areaCode
        self.birthDate = birthDate
        self.sex = sex
    }

    /// The number read byte by byte when it is 18 ASCII digits, `x`s or `X`s, as ledgers and clinic
    /// systems send it (a batch reads thousands; the general path below reads characters); `nil`
    /// for anything else, which the general path answers. The same checks, in the same order.
    static func parseDigits(_ text: String) throws -> ResidentIDNumber? {
        var bytes = [UInt8](text.utf8)
        guard bytes.count == 18,
            bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "X") || $0 == UInt8(ascii: "x") })
        else { return nil }
        for index in bytes.indices where bytes[index] == UInt8(ascii: "x") { bytes[index] = UInt8(ascii: "X") }
        guard bytes[..<17].allSatisfy({ $0 != UInt8(ascii: "X") }) else { throw Problem.characters }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        let year = number(6..<10)
        guard year >= 1900, let birth = LocalDate(year: year, month: number(10..<12), day: number(12..<14)) else {
            throw Problem.birthDate
        }
        let sum = zip(bytes[..<17], Self.weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
        let expected = Self.checkCharacters[sum % 11]
        guard Character(Unicode.Scalar(bytes[17])) == expected else { throw Problem.checkCharacter(expected: expected) }
        return ResidentIDNumber(
            value: String(decoding: bytes, as: UTF8.self),
            areaCode: String(decoding: bytes[..<6], as: UTF8.self),
            birthDate: birth,
            sex: (bytes[16] - UInt8(ascii: "0")) % 2 == 1 ? .male : .female
        )
    }

    /// The check character for the first 17 digits (`nil` unless they are 17 ASCII digits).
    public static func checkCharacter(for body: String) -> Character? {
        let digits = body.compactMap { $0.isASCII ? $0.wholeNumberValue : nil }
        guard body.count == 17, digits.count == 17 else { return nil }
        return Self.checkCharacters[zip(digits, Self.weights).reduce(0) { $0 + $1.0 * $1.1 } % 11]
    }

    /// Masked for display: first 6 and last 4 characters.
    public var masked: String {
        Masking.idNumber(self.value)
    }

    /// The masked form, so that printing or logging a number never shows it whole.
    public var description: String { self.masked }
}
