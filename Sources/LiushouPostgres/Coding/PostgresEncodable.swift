/// A Swift value that can be sent to PostgreSQL as a bound parameter.
public protocol PostgresEncodable: Sendable {
    /// The parameter type declared to the server.
    static var postgresType: PostgresType { get }
    /// The array type used when a `[Self]` is bound; `nil` when arrays of this type are not supported.
    static var postgresArrayType: PostgresType? { get }
    /// The value in PostgreSQL's text input format.
    var postgresText: String { get }
    /// The complete binding; the default wraps `postgresText` and refuses NUL characters.
    var postgresBinding: PostgresBinding { get }
    /// Appends the value as one element of an array literal: the default quotes `postgresText`;
    /// types whose text never needs quoting append it as it is, without a `String` in between
    /// (a batch's arrays hold thousands of ids and digests).
    func appendPostgresArrayElement(to literal: inout [UInt8])
}

extension PostgresEncodable {
    public static var postgresArrayType: PostgresType? { nil }

    /// The binding for this value, refusing text that PostgreSQL cannot store.
    public var postgresBinding: PostgresBinding {
        var text = self.postgresText
        if text.withUTF8({ PostgresArrayLiteral.containsNUL($0) }) {
            return .failed(Self.postgresType, reason: "text contains a NUL character, which PostgreSQL cannot store")
        }
        return PostgresBinding(type: Self.postgresType, text: text)
    }

    public func appendPostgresArrayElement(to literal: inout [UInt8]) {
        PostgresArrayLiteral.appendQuoted(self.postgresText, to: &literal)
    }
}

/// A Swift value that can be read from a PostgreSQL column.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-null cell; NULL handling is done by `Optional`.
    static func decode(from cell: PostgresCell) throws -> Self
}

/// A value that can be both bound and decoded.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
