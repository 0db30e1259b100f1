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

    /// Renumbers `$n` placeholders outside string literals, quoted identifiers and comments.
    static func shiftPlaceholders(in sql: String, by offset: Int) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var scalars = Array(sql.unicodeScalars)[...]
        var quote: Unicode.Scalar? = nil
        while let scalar = scalars.popFirst() {
            if let open = quote {
                output.unicodeScalars.append(scalar)
                if scalar == open {
                    quote = nil
                }
                continue
            }
            if scalar == "'" || scalar == "\"" {
                quote = scalar
                output.unicodeScalars.append(scalar)
                continue
            }
            guard scalar == "$", let first = scalars.first, first.properties.numericType != nil, first.isASCII else {
                output.unicodeScalars.append(scalar)
                continue
            }
            var digits = ""
            while let next = scalars.first, next.isASCII, next.properties.numericType != nil {
                digits.unicodeScalars.append(next)
                scalars.removeFirst()
            }
            output += "$\((Int(digits) ?? 0) + offset)"
        }
        return output
    }
}
