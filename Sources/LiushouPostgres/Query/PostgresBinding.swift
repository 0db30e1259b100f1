/// One bound parameter of a query: its declared type and its value in PostgreSQL's text format.
public struct PostgresBinding: Sendable, Hashable {
    /// The parameter's declared type; `.unspecified` lets the server infer it from context.
    public let type: PostgresType
    /// The value in text format, or `nil` for SQL NULL.
    public let text: String?
    /// A reason the value could not be encoded; the query is refused before it is sent.
    public let encodingFailure: String?

    /// A non-null value.
    public init(type: PostgresType, text: String) {
        self.type = type
        self.text = text
        self.encodingFailure = nil
    }

    /// SQL NULL of the given type.
    public static func null(_ type: PostgresType) -> PostgresBinding {
        PostgresBinding(type: type, text: nil, encodingFailure: nil)
    }

    /// A value that failed to encode; executing a query that holds it throws `invalidParameter`.
    public static func failed(_ type: PostgresType, reason: String) -> PostgresBinding {
        PostgresBinding(type: type, text: nil, encodingFailure: reason)
    }

    private init(type: PostgresType, text: String?, encodingFailure: String?) {
        self.type = type
        self.text = text
        self.encodingFailure = encodingFailure
    }
}
