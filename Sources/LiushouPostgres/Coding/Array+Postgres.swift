extension Array: PostgresEncodable where Element: PostgresEncodable {
    public static var postgresType: PostgresType { Element.postgresArrayType ?? .unspecified }

    /// A one-dimensional array literal with every element quoted, e.g. `{"a","b \"c\"",NULL}`.
    public var postgresText: String {
        var text = "{"
        for (index, element) in self.enumerated() {
            if index > 0 { text += "," }
            text += PostgresArrayLiteral.quote(element.postgresText)
        }
        return text + "}"
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Decodes a one-dimensional array; elements are decoded with the array's element type.
    public static func decode(from cell: PostgresCell) throws -> [Element] {
        guard let elementType = cell.type.arrayElementType else {
            throw cell.invalidText(for: [Element].self)
        }
        guard let text = cell.text else {
            throw DatabaseError.unexpectedNull(column: cell.columnName, swiftType: "\([Element].self)")
        }
        guard let items = PostgresArrayLiteral.parse(text) else {
            throw cell.invalidText(for: [Element].self)
        }
        return try items.enumerated().map { index, item in
            try Element.decode(from: PostgresCell(columnName: "\(cell.columnName)[\(index + 1)]", type: elementType, text: item))
        }
    }
}

/// Text-format array literals.
enum PostgresArrayLiteral {
    /// The element in quotes, its quotes and backslashes escaped. Byte by byte: both are ASCII, so no
    /// other character's UTF-8 holds their bytes, and a quote followed by a combining mark (one
    /// `Character`) is escaped too.
    static func quote(_ element: String) -> String {
        var element = element
        return element.withUTF8 { utf8 in
            var quoted: [UInt8] = []
            quoted.reserveCapacity(utf8.count + 8)
            quoted.append(UInt8(ascii: "\""))
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
                quoted.append(byte)
            }
            quoted.append(UInt8(ascii: "\""))
            return String(decoding: quoted, as: UTF8.self)
        }
    }

    /// Parses a one-dimensional literal; `nil` on malformed or multi-dimensional input.
    static func parse(_ text: String) -> [String?]? {
        var scalars = Array(text.unicodeScalars)[...]
        guard scalars.popFirst() == "{", scalars.popLast() == "}" else { return nil }
        var items: [String?] = []
        if scalars.isEmpty { return items }
        while true {
            guard let first = scalars.first else { return nil }
            if first == "{" { return nil }
            if first == "\"" {
                scalars.removeFirst()
                var item = ""
                var closed = false
                while let scalar = scalars.popFirst() {
                    if scalar == "\\" {
                        guard let escaped = scalars.popFirst() else { return nil }
                        item.unicodeScalars.append(escaped)
                    } else if scalar == "\"" {
                        closed = true
                        break
                    } else {
                        item.unicodeScalars.append(scalar)
                    }
                }
                guard closed else { return nil }
                items.append(item)
            } else {
                var item = ""
                while let scalar = scalars.first, scalar != "," {
                    item.unicodeScalars.append(scalar)
                    scalars.removeFirst()
                }
                items.append(item.uppercased() == "NULL" ? nil : item)
            }
            guard let separator = scalars.popFirst() else { return items }
            guard separator == "," else { return nil }
        }
    }
}

/// An array whose elements may be NULL, bound as e.g. `{"a",NULL}`.
public struct PostgresNullableArray<Element: PostgresEncodable>: PostgresEncodable {
    public var elements: [Element?]

    /// Wraps the elements.
    public init(_ elements: [Element?]) {
        self.elements = elements
    }

    public static var postgresType: PostgresType { Element.postgresArrayType ?? .unspecified }

    public var postgresText: String {
        "{" + self.elements.map { $0.map { PostgresArrayLiteral.quote($0.postgresText) } ?? "NULL" }.joined(separator: ",") + "}"
    }
}
