import Foundation

/// A SQL statement whose interpolated values all travel as `$n` bound parameters.
///
/// ```swift
/// let query: SQLQuery = "select id from person where name = \(name) and town = \(townID)"
/// ```
/// Interpolating a value never splices it into the SQL text. Identifiers and fixed SQL
/// fragments need the visibly different `\(identifier:)` and `\(unsafeRaw:)` forms.
public struct SQLQuery: Sendable, Hashable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$1`, `$2`, … placeholders.
    public private(set) var sql: String
    /// The parameters, in placeholder order.
    public private(set) var bindings: [PostgresBinding]

    /// Builds a statement from text that the caller vouches contains no untrusted input.
    public init(unsafeSQL sql: String, bindings: [PostgresBinding] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: StaticString) {
        self.sql = value.description
        self.bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// Appends another query, renumbering its placeholders after this one's.
    public mutating func append(_ other: SQLQuery) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.sql = self.sql
        interpolation.bindings = self.bindings
        interpolation.appendInterpolation(other)
        self = SQLQuery(stringInterpolation: interpolation)
    }

    /// The statement text only; bound values are never printed, so logging a query cannot leak data.
    public var description: String {
        "\(self.sql) [\(self.bindings.count) parameter(s)]"
    }

    /// Joins fragments with a separator, renumbering placeholders.
    public static func joined(_ parts: [SQLQuery], separator: StaticString) -> SQLQuery {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        for (index, part) in parts.enumerated() {
            if index > 0 {
                interpolation.appendLiteral(separator)
            }
            interpolation.appendInterpolation(part)
        }
        return SQLQuery(stringInterpolation: interpolation)
    }

    /// The interpolation that turns values into bindings.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        fileprivate var sql: String
        fileprivate var bindings: [PostgresBinding]

        public init(literalCapacity: Int, interpolationCount: Int) {
            self.sql = ""
            self.sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            self.bindings = []
            self.bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: StaticString) {
            self.sql += literal.description
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            self.bind(value.postgresBinding)
        }

        /// Binds an optional value; `nil` becomes a typed SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            self.bind(value?.postgresBinding ?? .null(Value.postgresType))
        }

        /// Binds a pre-built binding.
        public mutating func appendInterpolation(binding: PostgresBinding) {
            self.bind(binding)
        }

        /// Splices a double-quoted identifier (table, column, schema name).
        public mutating func appendInterpolation(identifier: String) {
            self.sql += SQLQuery.quoteIdentifier(identifier)
        }

        /// Splices raw SQL text. Only for fixed fragments chosen by code, never for input.
        public mutating func appendInterpolation(unsafeRaw fragment: String) {
            self.sql += fragment
        }

        /// Embeds another query, renumbering its placeholders.
        public mutating func appendInterpolation(_ fragment: SQLQuery) {
            let offset = self.bindings.count
            self.sql += offset == 0 ? fragment.sql : SQLQuery.shiftPlaceholders(in: fragment.sql, by: offset)
            self.bindings.append(contentsOf: fragment.bindings)
        }

        private mutating func bind(_ binding: PostgresBinding) {
            self.bindings.append(binding)
            self.sql += "$\(self.bindings.count)"
        }
    }

    /// Quotes an identifier the way PostgreSQL's `quote_ident` does.
    /// Quotes are doubled scalar by scalar: a quote followed by a combining mark is one `Character`,
    /// which Foundation's search for `"` passes over.
    public static func quoteIdentifier(_ identifier: String) -> String {
        var quoted = "\""
        for scalar in identifier.unicodeScalars {
            if scalar == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }

    /// `fragment` with its placeholders moved up by `offset` (what embedding it after `offset` bindings does).
    public static func renumbered(_ fragment: String, by offset: Int) -> String {
        Self.shiftPlaceholders(in: fragment, by: offset)
    }

    /// Renumbers `$n` placeholders, leaving alone what PostgreSQL's lexer would not read as one:
    /// string literals (`'…'` with doubled quotes, `E'…'` with backslash escapes), quoted identifiers,
    /// dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`), `--` comments and nested `/* */` comments.
    /// Works on UTF-8 bytes (every byte of a multi-byte character is ≥ 0x80, as PostgreSQL's lexer
    /// sees them) and copies the text between placeholders in runs: it runs for every transaction's
    /// scope settings.
    static func shiftPlaceholders(in sql: String, by offset: Int) -> String {
        let text = Array(sql.utf8)
        guard text.contains(Byte.dollar) else { return sql }
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 8)
        var copied = 0
        var index = 0
        func at(_ position: Int) -> UInt8? { position < text.count ? text[position] : nil }
        while index < text.count {
            let byte = text[index]
            switch byte {
            case Byte.quote, Byte.doubleQuote:
                // E'…' (and e'…') strings take backslash escapes; others only double the quote.
                let escapes =
                    byte == Byte.quote && index > 0 && (text[index - 1] == Byte.upperE || text[index - 1] == Byte.lowerE)
                    && (index < 2 || !Self.isIdentifierPart(text[index - 2]))
                var end = index + 1
                while end < text.count {
                    if escapes, text[end] == Byte.backslash {
                        end += 2
                    } else if text[end] == byte {
                        if at(end + 1) == byte { end += 2 } else { break }
                    } else {
                        end += 1
                    }
                }
                index = min(end + 1, text.count)
            case Byte.minus where at(index + 1) == Byte.minus:
                while index < text.count, text[index] != Byte.newline { index += 1 }
            case Byte.slash where at(index + 1) == Byte.star:
                var depth = 0
                var end = index
                while end < text.count {
                    if text[end] == Byte.slash, at(end + 1) == Byte.star {
                        depth += 1
                        end += 2
                    } else if text[end] == Byte.star, at(end + 1) == Byte.slash {
                        depth -= 1
                        end += 2
                        if depth == 0 { break }
                    } else {
                        end += 1
                    }
                }
                index = min(end, text.count)
            case Byte.dollar:
                if let first = at(index + 1), Self.isDigit(first) {
                    var end = index + 1
                    while let next = at(end), Self.isDigit(next) { end += 1 }
                    let number = Int(String(decoding: text[(index + 1)..<end], as: UTF8.self)) ?? 0
                    output.append(contentsOf: text[copied..<index])
                    output.append(contentsOf: "$\(number + offset)".utf8)
                    copied = end
                    index = end
                } else if index == 0 || !Self.isIdentifierPart(text[index - 1]), let tagEnd = Self.dollarTagEnd(in: text, from: index) {
                    // A dollar quote cannot follow an identifier character (there `$` is part of the name).
                    let tag = text[index...tagEnd]
                    var end = tagEnd + 1
                    while end < text.count, !(text[end] == Byte.dollar && text[end..<min(end + tag.count, text.count)].elementsEqual(tag)) {
                        end += 1
                    }
                    index = min(end + tag.count, text.count)
                } else {
                    index += 1
                }
            default:
                index += 1
            }
        }
        output.append(contentsOf: text[copied..<text.count])
        return String(decoding: output, as: UTF8.self)
    }

    /// The position of the closing `$` of a dollar-quote tag starting at `start` (`$$`, `$name$`).
    private static func dollarTagEnd(in text: [UInt8], from start: Int) -> Int? {
        var end = start + 1
        guard end < text.count else { return nil }
        if text[end] == Byte.dollar { return end }
        guard Self.isIdentifierStart(text[end]) else { return nil }
        while end < text.count, text[end] != Byte.dollar {
            guard Self.isIdentifierPart(text[end]) else { return nil }
            end += 1
        }
        return end < text.count ? end : nil
    }

    /// `[A-Za-z_]` or any byte of a multi-byte character, as in PostgreSQL's lexer.
    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool {
        Self.isIdentifierStart(byte) || Self.isDigit(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    private enum Byte {
        static let dollar = UInt8(ascii: "$")
        static let quote = UInt8(ascii: "'")
        static let doubleQuote = UInt8(ascii: "\"")
        static let backslash = UInt8(ascii: "\\")
        static let upperE = UInt8(ascii: "E")
        static let lowerE = UInt8(ascii: "e")
        static let minus = UInt8(ascii: "-")
        static let slash = UInt8(ascii: "/")
        static let star = UInt8(ascii: "*")
        static let newline = UInt8(ascii: "\n")
    }
}
