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
    /// Appends the value as one element of an array literal, or returns why it cannot be sent (the
    /// reason its own binding would fail with). The default quotes the binding's text; types that
    /// can write their element without a `String` in between do so (a batch's arrays hold thousands
    /// of ids and digests).
    func appendPostgresArrayElement(to literal: inout [UInt8]) -> String?
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

    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        let binding = self.postgresBinding
        if let failure = binding.encodingFailure { return failure }
        if let text = binding.text {
            PostgresArrayLiteral.appendQuoted(text, to: &literal)
        } else {
            literal.append(contentsOf: "NULL".utf8)
        }
        return nil
    }
}

/// A Swift value that can be read from a PostgreSQL column.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-null cell; NULL handling is done by `Optional`.
    static func decode(from cell: PostgresCell) throws -> Self
}

/// A value that can be both bound and decoded.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable
