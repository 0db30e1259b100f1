import Foundation

extension String: PostgresCodable {
    public static var postgresType: PostgresType { .unspecified }
    public static var postgresArrayType: PostgresType? { .textArray }
    public var postgresText: String { self }

    /// Quoted from its UTF-8; a NUL is refused by the array's check of the whole literal.
    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        PostgresArrayLiteral.appendQuoted(self, to: &literal)
        return nil
    }

    /// Decodes any character type, and types defined by extensions or enums (their text form).
    public static func decode(from cell: PostgresCell) throws -> String {
        guard cell.type.isTextual || cell.type.isUserDefined || cell.type == .json || cell.type == .jsonb else {
            throw cell.invalidText(for: String.self)
        }
        guard let text = cell.text else {
            throw DatabaseError.unexpectedNull(column: cell.columnName, swiftType: "String")
        }
        return text
    }
}

extension Bool: PostgresCodable {
    public static var postgresType: PostgresType { .bool }
    public static var postgresArrayType: PostgresType? { .boolArray }
    public var postgresText: String { self ? "t" : "f" }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        literal.append(self ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        return nil
    }

    public static func decode(from cell: PostgresCell) throws -> Bool {
        switch try cell.text(decodingAs: Bool.self, accepting: [.bool]) {
        case "t": return true
        case "f": return false
        default: throw cell.invalidText(for: Bool.self)
        }
    }
}

/// Shared decoding of PostgreSQL integer columns into fixed-width Swift integers.
private func decodeInteger<Target: FixedWidthInteger>(_ cell: PostgresCell, as target: Target.Type, accepting: Set<PostgresType>) throws -> Target {
    let text = try cell.text(decodingAs: target, accepting: accepting)
    guard let value = Target(text) else {
        throw cell.invalidText(for: target)
    }
    return value
}

extension Int: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType? { .int8Array }
    public var postgresText: String { String(self) }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        PostgresArrayLiteral.appendInteger(self, to: &literal)
    }

    public static func decode(from cell: PostgresCell) throws -> Int {
        try decodeInteger(cell, as: Int.self, accepting: [.int2, .int4, .int8, .oidType])
    }
}

extension Int64: PostgresCodable {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType? { .int8Array }
    public var postgresText: String { String(self) }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        PostgresArrayLiteral.appendInteger(self, to: &literal)
    }

    public static func decode(from cell: PostgresCell) throws -> Int64 {
        try decodeInteger(cell, as: Int64.self, accepting: [.int2, .int4, .int8, .oidType])
    }
}

extension Int32: PostgresCodable {
    public static var postgresType: PostgresType { .int4 }
    public static var postgresArrayType: PostgresType? { .int4Array }
    public var postgresText: String { String(self) }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        PostgresArrayLiteral.appendInteger(self, to: &literal)
    }

    public static func decode(from cell: PostgresCell) throws -> Int32 {
        try decodeInteger(cell, as: Int32.self, accepting: [.int2, .int4])
    }
}

extension Int16: PostgresCodable {
    public static var postgresType: PostgresType { .int2 }
    public static var postgresArrayType: PostgresType? { .int2Array }
    public var postgresText: String { String(self) }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        PostgresArrayLiteral.appendInteger(self, to: &literal)
    }

    public static func decode(from cell: PostgresCell) throws -> Int16 {
        try decodeInteger(cell, as: Int16.self, accepting: [.int2])
    }
}

extension Double: PostgresCodable {
    public static var postgresType: PostgresType { .float8 }
    public static var postgresArrayType: PostgresType? { .float8Array }

    public var postgresText: String {
        if self.isNaN { return "NaN" }
        if self.isInfinite { return self < 0 ? "-Infinity" : "Infinity" }
        return "\(self)"
    }

    public static func decode(from cell: PostgresCell) throws -> Double {
        let text = try cell.text(decodingAs: Double.self, accepting: [.float4, .float8, .int2, .int4, .int8, .numeric])
        switch text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(text) else { throw cell.invalidText(for: Double.self) }
            return value
        }
    }
}

extension Decimal: PostgresCodable {
    public static var postgresType: PostgresType { .numeric }
    public static var postgresArrayType: PostgresType? { .numericArray }
    public var postgresText: String { self.isNaN ? "NaN" : self.description }

    public static func decode(from cell: PostgresCell) throws -> Decimal {
        let text = try cell.text(decodingAs: Decimal.self, accepting: [.numeric, .int2, .int4, .int8])
        if text == "NaN" { return .nan }
        guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw cell.invalidText(for: Decimal.self)
        }
        return value
    }
}

extension UUID: PostgresCodable {
    public static var postgresType: PostgresType { .uuid }
    public static var postgresArrayType: PostgresType? { .uuidArray }
    public var postgresText: String { self.lowercasedText }

    /// Unquoted: hex digits and dashes need no quoting.
    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        self.appendLowercased(to: &literal)
        return nil
    }

    public static func decode(from cell: PostgresCell) throws -> UUID {
        let text = try cell.text(decodingAs: UUID.self, accepting: [.uuid])
        guard let value = UUID(canonical: text) else { throw cell.invalidText(for: UUID.self) }
        return value
    }
}

extension Data: PostgresCodable {
    public static var postgresType: PostgresType { .bytea }
    public static var postgresArrayType: PostgresType? { .byteaArray }

    /// Hex format (`\x0a1b…`).
    public var postgresText: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 + self.count * 2)
        self.appendHex(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// In quotes, with the backslash of `\x` escaped as an array literal needs it: `"\\x0a1b…"`.
    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        literal.append(UInt8(ascii: "\""))
        literal.append(UInt8(ascii: "\\"))
        self.appendHex(to: &literal)
        literal.append(UInt8(ascii: "\""))
        return nil
    }

    private func appendHex(to bytes: inout [UInt8]) {
        let digits = Hex.lowerDigits
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "x"))
        self.withUnsafeBytes { raw in
            for byte in raw {
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    public static func decode(from cell: PostgresCell) throws -> Data {
        let text = try cell.text(decodingAs: Data.self, accepting: [.bytea])
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            throw cell.invalidText(for: Data.self)
        }
        // Into an array first: `Data.append` of one byte costs a call through its representation.
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = Hex.value(utf8[index]), let low = Hex.value(utf8[index + 1]) else {
                throw cell.invalidText(for: Data.self)
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return Data(bytes)
    }
}
