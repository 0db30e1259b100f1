import Foundation

extension Array: PostgresEncodable where Element: PostgresEncodable {
    public static var postgresType: PostgresType { Element.postgresArrayType ?? .unspecified }

    /// A one-dimensional array literal, e.g. `{"a","b \"c\"",NULL}` or `{1,2}`.
    public var postgresText: String { String(decoding: PostgresArrayLiteral.write(self.lazy.map { $0 as Element? }).literal, as: UTF8.self) }

    /// The literal, written into one buffer, refused when an element cannot be sent or holds NUL.
    public var postgresBinding: PostgresBinding {
        PostgresArrayLiteral.binding(PostgresArrayLiteral.write(self.lazy.map { $0 as Element? }), type: Self.postgresType)
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
    /// Appends the element in quotes, its quotes and backslashes escaped. Byte by byte: both are
    /// ASCII, so no other character's UTF-8 holds their bytes, and a quote followed by a combining
    /// mark (one `Character`) is escaped too.
    static func appendQuoted(_ element: String, to literal: inout [UInt8]) {
        var element = element
        element.withUTF8 { Self.appendQuoted(utf8: $0, to: &literal) }
    }

    /// Appends UTF-8 text in quotes, as `appendQuoted(_:to:)` writes it.
    static func appendQuoted(utf8: UnsafeBufferPointer<UInt8>, to literal: inout [UInt8]) {
        literal.append(UInt8(ascii: "\""))
        if utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
        } else {
            literal.append(contentsOf: utf8)
        }
        literal.append(UInt8(ascii: "\""))
    }

    /// Appends an integer's digits, unquoted.
    static func appendInteger(_ value: some FixedWidthInteger, to literal: inout [UInt8]) -> String? {
        literal.append(contentsOf: String(value).utf8)
        return nil
    }

    /// Whether the bytes hold a NUL, which PostgreSQL cannot store in text.
    static func containsNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    /// The literal of `elements` (`nil` for NULL), and the first reason an element could not be sent.
    static func write<Element: PostgresEncodable>(_ elements: some Collection<Element?>) -> (literal: [UInt8], failure: String?) {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        // About a quoted UUID an element: one reservation for most batches' columns.
        literal.reserveCapacity(2 + elements.count * 40)
        var failure: String?
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            if let element {
                if let reason = element.appendPostgresArrayElement(to: &literal), failure == nil { failure = reason }
            } else {
                literal.append(contentsOf: "NULL".utf8)
            }
        }
        literal.append(UInt8(ascii: "}"))
        return (literal, failure)
    }

    /// The binding of a written literal, refused when an element could not be sent or held NUL.
    static func binding(_ written: (literal: [UInt8], failure: String?), type: PostgresType) -> PostgresBinding {
        if let failure = written.failure { return .failed(type, reason: failure) }
        if written.literal.withUnsafeBufferPointer(Self.containsNUL) {
            return .failed(type, reason: "text contains a NUL character, which PostgreSQL cannot store")
        }
        return PostgresBinding(type: type, text: String(decoding: written.literal, as: UTF8.self))
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

    public var postgresText: String { String(decoding: PostgresArrayLiteral.write(self.elements).literal, as: UTF8.self) }

    public var postgresBinding: PostgresBinding {
        PostgresArrayLiteral.binding(PostgresArrayLiteral.write(self.elements), type: Self.postgresType)
    }
}
