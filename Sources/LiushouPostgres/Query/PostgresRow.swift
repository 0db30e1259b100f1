/// Column metadata shared by every row of one result.
public final class PostgresColumns: Sendable {
    /// Column names in result order.
    public let names: [String]
    /// Column types in result order.
    public let types: [PostgresType]
    private let positions: [String: Int]

    init(names: [String], types: [PostgresType]) {
        self.names = names
        self.types = types
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }

    /// The position of the first column with this name.
    public func position(of name: String) -> Int? {
        self.positions[name]
    }
}

/// One row of a result, copied out of libpq's memory.
public struct PostgresRow: Sendable {
    /// The result's columns.
    public let columns: PostgresColumns
    let values: ArraySlice<String?>

    /// The number of fields.
    public var count: Int { self.values.count }

    /// Decodes the named column.
    public func decode<Value: PostgresDecodable>(_ column: String, as type: Value.Type = Value.self) throws -> Value {
        guard let position = self.columns.position(of: column) else {
            throw DatabaseError.columnNotFound(column)
        }
        return try self.decode(at: position, as: type)
    }

    /// Decodes the column at a zero-based position.
    public func decode<Value: PostgresDecodable>(at position: Int, as type: Value.Type = Value.self) throws -> Value {
        guard position >= 0, position < self.values.count else {
            throw DatabaseError.columnNotFound("#\(position)")
        }
        let cell = PostgresCell(
            columnName: self.columns.names[position],
            type: self.columns.types[position],
            text: self.values[self.values.startIndex + position]
        )
        return try Value.decode(from: cell)
    }

    /// Decodes the leading columns as a tuple: `let (id, name) = try row.decode((UUID, String).self)`.
    public func decode<each Value: PostgresDecodable>(_ types: (repeat each Value).Type) throws -> (repeat each Value) {
        var position = 0
        func next<Field: PostgresDecodable>(_ type: Field.Type) throws -> Field {
            defer { position += 1 }
            return try self.decode(at: position, as: type)
        }
        return (repeat try next((each Value).self))
    }

    /// Whether the named column is NULL.
    public func isNull(_ column: String) throws -> Bool {
        guard let position = self.columns.position(of: column) else {
            throw DatabaseError.columnNotFound(column)
        }
        return self.values[self.values.startIndex + position] == nil
    }
}

/// The outcome of one statement: its rows and its command tag.
public struct PostgresResult: Sendable, RandomAccessCollection {
    /// The result's columns.
    public let columns: PostgresColumns
    /// The command tag, e.g. `INSERT 0 3`.
    public let commandTag: String
    /// Rows affected by INSERT/UPDATE/DELETE/COPY, or returned by SELECT.
    public let affectedRows: Int
    let cells: [String?]

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        self.columns.names.isEmpty ? 0 : self.cells.count / self.columns.names.count
    }

    public subscript(position: Int) -> PostgresRow {
        let width = self.columns.names.count
        return PostgresRow(columns: self.columns, values: self.cells[(position * width)..<((position + 1) * width)])
    }

    /// The only row, or `nil` when there is none.
    public var first: PostgresRow? {
        self.isEmpty ? nil : self[0]
    }
}
