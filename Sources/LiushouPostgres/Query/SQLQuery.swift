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
        var result = SQLQuery(unsafeSQL: "")
        for (index, part) in parts.enumerated() {
            if index > 0 {
                result.sql += separator.description
            }
            result.append(part)
        }
        return result
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
    public static func quoteIdentifier(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `fragment` with its placeholders moved up by `offset` (what embedding it after `offset` bindings does).
    public static func renumbered(_ fragment: String, by offset: Int) -> String {
        Self.shiftPlaceholders(in: fragment, by: offset)
    }

    /// Renumbers `$n` placeholders, leaving alone what PostgreSQL's lexer would not read as one:
    /// string literals (`'…'` with doubled quotes, `E'…'` with backslash escapes), quoted identifiers,
    /// dollar-quoted bodies (`$$…$$`, `$tag$…$tag$`), `--` comments and nested `/* */` comments.
    static func shiftPlaceholders(in sql: String, by offset: Int) -> String {
        let text = Array(sql.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        /// Copies up to (not including) `end`.
        func copy(to end: Int) {
            let stop = min(end, text.count)
            output.append(contentsOf: text[index..<stop])
            index = stop
        }
        func at(_ position: Int) -> Unicode.Scalar? { position < text.count ? text[position] : nil }
        while index < text.count {
            let scalar = text[index]
            switch scalar {
            case "'", "\"":
                // E'…' (and e'…') strings take backslash escapes; others only double the quote.
                let escapes = scalar == "'" && index > 0 && (text[index - 1] == "E" || text[index - 1] == "e")
                    && (index < 2 || !Self.isIdentifierPart(text[index - 2]))
                var end = index + 1
                while end < text.count {
                    if escapes, text[end] == "\\" {
                        end += 2
                    } else if text[end] == scalar {
                        if at(end + 1) == scalar { end += 2 } else { break }
                    } else {
                        end += 1
                    }
                }
                copy(to: end + 1)
            case "-" where at(index + 1) == "-":
                var end = index
                while end < text.count, text[end] != "\n" { end += 1 }
                copy(to: end)
            case "/" where at(index + 1) == "*":
                var depth = 0
                var end = index
                while end < text.count {
                    if text[end] == "/", at(end + 1) == "*" {
                        depth += 1
                        end += 2
                    } else if text[end] == "*", at(end + 1) == "/" {
                        depth -= 1
                        end += 2
                        if depth == 0 { break }
                    } else {
                        end += 1
                    }
                }
                copy(to: end)
            case "$":
                if let first = at(index + 1), first.isASCII, first.properties.numericType != nil {
                    var end = index + 1
                    while let next = at(end), next.isASCII, next.properties.numericType != nil { end += 1 }
                    let number = Int(String(String.UnicodeScalarView(text[(index + 1)..<end]))) ?? 0
                    output.append(contentsOf: "$\(number + offset)".unicodeScalars)
                    index = end
                } else if index == 0 || !Self.isIdentifierPart(text[index - 1]), let tagEnd = Self.dollarTagEnd(in: text, from: index) {
                    // A dollar quote cannot follow an identifier character (there `$` is part of the name).
                    let tag = Array(text[index...tagEnd])
                    var end = tagEnd + 1
                    while end < text.count, !(text[end] == "$" && Array(text[end..<min(end + tag.count, text.count)]) == tag) { end += 1 }
                    copy(to: end + tag.count)
                } else {
                    copy(to: index + 1)
                }
            default:
                copy(to: index + 1)
            }
        }
        return String(output)
    }

    /// The position of the closing `$` of a dollar-quote tag starting at `start` (`$$`, `$name$`).
    private static func dollarTagEnd(in text: [Unicode.Scalar], from start: Int) -> Int? {
        var end = start + 1
        guard end < text.count else { return nil }
        if text[end] == "$" { return end }
        guard text[end].properties.isAlphabetic || text[end] == "_" else { return nil }
        while end < text.count, text[end] != "$" {
            guard Self.isIdentifierPart(text[end]) else { return nil }
            end += 1
        }
        return end < text.count ? end : nil
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar == "_" || (scalar.isASCII && scalar.properties.numericType != nil)
    }
}
