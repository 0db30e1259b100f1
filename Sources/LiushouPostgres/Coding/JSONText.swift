import Foundation

/// JSON text written field by field, for the bulk paths where `JSONEncoder` costs more than the
/// work around it: the array an offline batch hands to its SQL function (bound as `jsonb`), and the
/// canonical text of each item whose digest recognises a retry (`ContentHash.hex(ofCanonical:)`).
///
/// What can be written: one object, or an array of objects, whose fields are strings, numbers,
/// booleans, UUIDs, dates, arrays of strings, objects and arrays of objects. Fields come out in the
/// order written and `nil` values are left out, as `JSONEncoder` leaves them; strings, numbers, UUIDs
/// and dates are written as `JSONEncoder` writes them. Pass
/// `canonical: true` to escape `/` as `JSONEncoder` does by default: the text of an object whose
/// fields are written in byte order of their keys (at every level) is then `JSONEncoder`'s
/// `.sortedKeys` text, byte for byte (tests hold the two together, and to digests written down).
///
/// ```swift
/// let json = JSONText.array(of: items) { fields, item in
///     fields.field("id", item.id)
///     fields.field("notes", item.notes)
/// }
/// try await transaction.query("select * from f(\(json)::jsonb)")
/// ```
public struct JSONText: Sendable, PostgresEncodable {
    /// The text, as UTF-8.
    public let utf8: [UInt8]
    /// Whether `/` was escaped (the text `JSONEncoder` writes by default).
    public let canonical: Bool
    /// Whether a number that is not finite was written (JSON has none: `JSONEncoder` refuses it).
    let hasNonFiniteNumber: Bool

    /// One object, whose fields `fields` writes.
    public static func object(canonical: Bool = false, _ fields: (inout Fields) -> Void) -> JSONText {
        var writer = Fields(canonical: canonical, capacity: 256)
        writer.open()
        fields(&writer)
        writer.close()
        return JSONText(utf8: writer.bytes, canonical: canonical, hasNonFiniteNumber: writer.hasNonFiniteNumber)
    }

    /// An array of one object per element, whose fields `fields` writes; `capacity` is the bytes to
    /// reserve.
    public static func array<Element>(
        of elements: some Sequence<Element>,
        capacity: Int = 0,
        _ fields: (inout Fields, Element) -> Void
    ) -> JSONText {
        var writer = Fields(canonical: false, capacity: capacity)
        writer.bytes.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.open()
            fields(&writer, element)
            writer.close()
        }
        writer.bytes.append(UInt8(ascii: "]"))
        return JSONText(utf8: writer.bytes, canonical: false, hasNonFiniteNumber: writer.hasNonFiniteNumber)
    }

    public static var postgresType: PostgresType { .jsonb }

    public var postgresText: String { String(decoding: self.utf8, as: UTF8.self) }

    /// The text (control characters are escaped, so it holds no NUL), or a refusal when it holds a
    /// number that is not finite.
    public var postgresBinding: PostgresBinding {
        guard !self.hasNonFiniteNumber else {
            return .failed(.jsonb, reason: Self.nonFiniteRefusal)
        }
        return PostgresBinding(type: .jsonb, text: self.postgresText)
    }

    /// Quoted from its bytes, without a `String` in between (a ledger import's files go as one
    /// `text[]`: arrays of `JSONText` have no declared type, so the statement casts them), or refused
    /// as its binding is.
    public func appendPostgresArrayElement(to literal: inout [UInt8]) -> String? {
        guard !self.hasNonFiniteNumber else { return Self.nonFiniteRefusal }
        self.utf8.withUnsafeBufferPointer { PostgresArrayLiteral.appendQuoted(utf8: $0, to: &literal) }
        return nil
    }

    private static let nonFiniteRefusal = "a number that is not finite cannot be written as JSON"

    /// The fields of one object. A key is plain ASCII (no quote, backslash or control character):
    /// it is written as given.
    public struct Fields {
        fileprivate var bytes: [UInt8] = []
        fileprivate var hasNonFiniteNumber = false
        private let canonical: Bool
        /// Whether the open object already has a field (the next one needs a comma).
        private var hasField = false

        fileprivate init(canonical: Bool, capacity: Int) {
            self.canonical = canonical
            self.bytes.reserveCapacity(capacity)
        }

        fileprivate mutating func open() {
            self.bytes.append(UInt8(ascii: "{"))
            self.hasField = false
        }

        fileprivate mutating func close() {
            self.bytes.append(UInt8(ascii: "}"))
        }

        public mutating func field(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            self.key(name)
            self.string(value)
        }

        /// A UUID as `JSONEncoder` writes it (upper case).
        public mutating func field(_ name: StaticString, _ value: UUID?) {
            guard let value else { return }
            self.key(name)
            self.bytes.append(UInt8(ascii: "\""))
            value.appendUppercased(to: &self.bytes)
            self.bytes.append(UInt8(ascii: "\""))
        }

        /// A time as `JSONEncoder`'s `.iso8601` writes it: UTC, whole seconds (the fraction dropped).
        public mutating func field(_ name: StaticString, _ value: Date?) {
            guard let value else { return }
            self.key(name)
            self.string(value.formatted(.iso8601))
        }

        /// A number as `JSONEncoder` writes it (`30`, not `30.0`). A number that is not finite is
        /// written as `null` and makes the binding fail, as `JSONEncoder` would have refused it.
        public mutating func field(_ name: StaticString, _ value: Double?) {
            guard let value else { return }
            self.key(name)
            guard value.isFinite else {
                self.hasNonFiniteNumber = true
                self.bytes.append(contentsOf: "null".utf8)
                return
            }
            let text = value.description
            self.bytes.append(contentsOf: text.hasSuffix(".0") ? text.dropLast(2).utf8 : text[...].utf8)
        }

        public mutating func field(_ name: StaticString, _ value: Int?) {
            guard let value else { return }
            self.key(name)
            self.bytes.append(contentsOf: String(value).utf8)
        }

        public mutating func field(_ name: StaticString, _ value: Bool?) {
            guard let value else { return }
            self.key(name)
            self.bytes.append(contentsOf: (value ? "true" : "false").utf8)
        }

        /// An object whose fields `fields` writes.
        public mutating func object(_ name: StaticString, _ fields: (inout Fields) -> Void) {
            self.key(name)
            self.nested(fields)
        }

        /// An object under a key that is data (a measurement's name): the key is escaped as a
        /// string value is.
        public mutating func object(key: String, _ fields: (inout Fields) -> Void) {
            if self.hasField { self.bytes.append(UInt8(ascii: ",")) }
            self.hasField = true
            self.string(key)
            self.bytes.append(UInt8(ascii: ":"))
            self.nested(fields)
        }

        /// An array of one object per element, whose fields `fields` writes.
        public mutating func objects<Element>(
            _ name: StaticString,
            of elements: some Sequence<Element>,
            _ fields: (inout Fields, Element) -> Void
        ) {
            self.key(name)
            self.bytes.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { self.bytes.append(UInt8(ascii: ",")) }
                first = false
                self.nested { fields(&$0, element) }
            }
            self.bytes.append(UInt8(ascii: "]"))
        }

        /// An object written in place of a value: the enclosing object has a field once it is done.
        private mutating func nested(_ fields: (inout Fields) -> Void) {
            self.open()
            fields(&self)
            self.close()
            self.hasField = true
        }

        public mutating func field(_ name: StaticString, _ values: [String]?) {
            guard let values else { return }
            self.key(name)
            self.bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { self.bytes.append(UInt8(ascii: ",")) }
                self.string(value)
            }
            self.bytes.append(UInt8(ascii: "]"))
        }

        private mutating func key(_ name: StaticString) {
            if self.hasField { self.bytes.append(UInt8(ascii: ",")) }
            self.hasField = true
            self.bytes.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { key in
                assert(key.allSatisfy { $0 >= 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") })
                self.bytes.append(contentsOf: key)
            }
            self.bytes.append(contentsOf: "\":".utf8)
        }

        /// A string: the quote, the backslash and control characters escaped as `JSONEncoder` escapes
        /// them (and `/` when canonical); every other character as UTF-8.
        private mutating func string(_ value: String) {
            self.bytes.append(UInt8(ascii: "\""))
            let slash: UInt8 = self.canonical ? UInt8(ascii: "/") : UInt8(ascii: "\"")
            var value = value
            value.withUTF8 { utf8 in
                guard utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == slash }) else {
                    self.bytes.append(contentsOf: utf8)
                    return
                }
                for byte in utf8 {
                    switch byte {
                    case UInt8(ascii: "\""): self.bytes.append(contentsOf: "\\\"".utf8)
                    case UInt8(ascii: "\\"): self.bytes.append(contentsOf: "\\\\".utf8)
                    case UInt8(ascii: "/") where self.canonical: self.bytes.append(contentsOf: "\\/".utf8)
                    case 0x08: self.bytes.append(contentsOf: "\\b".utf8)
                    case 0x0c: self.bytes.append(contentsOf: "\\f".utf8)
                    case UInt8(ascii: "\n"): self.bytes.append(contentsOf: "\\n".utf8)
                    case UInt8(ascii: "\r"): self.bytes.append(contentsOf: "\\r".utf8)
                    case UInt8(ascii: "\t"): self.bytes.append(contentsOf: "\\t".utf8)
                    case 0..<0x20:
                        self.bytes.append(contentsOf: "\\u00".utf8)
                        self.bytes.append(Hex.lowerDigits[Int(byte >> 4)])
                        self.bytes.append(Hex.lowerDigits[Int(byte & 0x0f)])
                    default: self.bytes.append(byte)
                    }
                }
            }
            self.bytes.append(UInt8(ascii: "\""))
        }
    }
}
