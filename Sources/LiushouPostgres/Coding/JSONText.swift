import Foundation

/// JSON text written field by field, for the bulk paths where `JSONEncoder` costs more than the
/// work around it: the array an offline batch hands to its SQL function (bound as `jsonb`), and the
/// canonical text of each item whose digest recognises a retry (`ContentHash`). Fields come out in
/// the order written and `nil` values are left out, as `JSONEncoder` leaves them; strings, numbers
/// and dates are written as `JSONEncoder` writes them (with `escapingSlashes`, as it does by
/// default), so a digest of this text equals the digest of `JSONEncoder`'s sorted-keys text when
/// the fields are written in sorted order (tests hold the two to the same bytes).
///
/// ```swift
/// var json = JSONText()
/// json.array(of: items) { json, item in
///     json.field("id", item.id)
///     json.field("notes", item.notes)
/// }
/// try await transaction.query("select * from f(\(json)::jsonb)")
/// ```
public struct JSONText: Sendable, PostgresEncodable {
    /// The text so far, as UTF-8.
    public private(set) var utf8: [UInt8] = []
    private let escapingSlashes: Bool
    /// Whether the innermost open object already has a field (the next one needs a comma).
    private var hasField = false

    public init(capacity: Int = 0, escapingSlashes: Bool = false) {
        self.escapingSlashes = escapingSlashes
        self.utf8.reserveCapacity(capacity)
    }

    public static var postgresType: PostgresType { .jsonb }

    public var postgresText: String { String(decoding: self.utf8, as: UTF8.self) }

    /// One object, whose fields `fields` writes.
    public mutating func object(_ fields: (inout JSONText) -> Void) {
        self.utf8.append(UInt8(ascii: "{"))
        self.hasField = false
        fields(&self)
        self.utf8.append(UInt8(ascii: "}"))
    }

    /// An array of one object per element, whose fields `fields` writes.
    public mutating func array<Element>(of elements: some Sequence<Element>, _ fields: (inout JSONText, Element) -> Void) {
        self.utf8.append(UInt8(ascii: "["))
        var first = true
        for element in elements {
            if !first { self.utf8.append(UInt8(ascii: ",")) }
            first = false
            self.object { fields(&$0, element) }
        }
        self.utf8.append(UInt8(ascii: "]"))
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
        self.utf8.append(UInt8(ascii: "\""))
        self.utf8.append(contentsOf: value.uuidString.utf8)
        self.utf8.append(UInt8(ascii: "\""))
    }

    /// A time as `JSONEncoder`'s `.iso8601` writes it: UTC, whole seconds.
    public mutating func field(_ name: StaticString, _ value: Date) {
        self.key(name)
        self.string(value.formatted(.iso8601))
    }

    /// A number as `JSONEncoder` writes it (`30`, not `30.0`); JSON has no number that is not
    /// finite: such a value is written as `null`.
    public mutating func field(_ name: StaticString, _ value: Double?) {
        guard let value else { return }
        self.key(name)
        guard value.isFinite else {
            self.utf8.append(contentsOf: "null".utf8)
            return
        }
        let text = value.description
        self.utf8.append(contentsOf: text.hasSuffix(".0") ? text.dropLast(2).utf8 : text[...].utf8)
    }

    public mutating func field(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        self.key(name)
        self.utf8.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { self.utf8.append(UInt8(ascii: ",")) }
            self.string(value)
        }
        self.utf8.append(UInt8(ascii: "]"))
    }

    private mutating func key(_ name: StaticString) {
        if self.hasField { self.utf8.append(UInt8(ascii: ",")) }
        self.hasField = true
        self.utf8.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { self.utf8.append(contentsOf: $0) }
        self.utf8.append(contentsOf: "\":".utf8)
    }

    /// A string: the quote, the backslash and control characters escaped as `JSONEncoder` escapes
    /// them (and `/` when `escapingSlashes`); every other character as UTF-8.
    private mutating func string(_ value: String) {
        self.utf8.append(UInt8(ascii: "\""))
        let slash: UInt8 = self.escapingSlashes ? UInt8(ascii: "/") : UInt8(ascii: "\"")
        var value = value
        value.withUTF8 { bytes in
            guard bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == slash }) else {
                self.utf8.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): self.utf8.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): self.utf8.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "/") where self.escapingSlashes: self.utf8.append(contentsOf: "\\/".utf8)
                case 0x08: self.utf8.append(contentsOf: "\\b".utf8)
                case 0x0c: self.utf8.append(contentsOf: "\\f".utf8)
                case UInt8(ascii: "\n"): self.utf8.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): self.utf8.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): self.utf8.append(contentsOf: "\\t".utf8)
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    self.utf8.append(contentsOf: "\\u00".utf8)
                    self.utf8.append(hex[Int(byte >> 4)])
                    self.utf8.append(hex[Int(byte & 0x0f)])
                default: self.utf8.append(byte)
                }
            }
        }
        self.utf8.append(UInt8(ascii: "\""))
    }
}
