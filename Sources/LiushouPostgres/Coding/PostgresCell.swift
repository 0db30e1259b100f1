/// One field of a result row, as the decoder sees it.
public struct PostgresCell: Sendable {
    /// The column's name (or `[n]` for an array element).
    public let columnName: String
    /// The column's PostgreSQL type.
    public let type: PostgresType
    /// The value in text format, or `nil` for SQL NULL.
    public let text: String?

    /// Wraps a cell.
    public init(columnName: String, type: PostgresType, text: String?) {
        self.columnName = columnName
        self.type = type
        self.text = text
    }

    /// The text of a non-null cell whose type is one of `accepted`; otherwise a precise error.
    public func text<Target>(decodingAs target: Target.Type, accepting accepted: Set<PostgresType>) throws -> String {
        guard accepted.contains(self.type) else {
            throw DatabaseError.typeMismatch(column: self.columnName, postgresType: self.type.description, swiftType: "\(target)")
        }
        guard let text = self.text else {
            throw DatabaseError.unexpectedNull(column: self.columnName, swiftType: "\(target)")
        }
        return text
    }

    /// A mismatch error for this cell, for decoders that validate the text itself.
    public func invalidText<Target>(for target: Target.Type) -> DatabaseError {
        DatabaseError.typeMismatch(column: self.columnName, postgresType: self.type.description, swiftType: "\(target)")
    }
}
