import Foundation
import LiushouPostgres

/// A hand-written reader for the usual shape of a batch body, which `JSONDecoder` reads at about
/// 12 µs an item (a clinic's 5,000 checkups: 60 ms on one core before anything else can start).
///
/// It reads a strict subset of JSON and gives up on everything else: a string with a control
/// character, `\u0000` or a surrogate without its pair, invalid UTF-8, a key it was not told of, a
/// key with an escape or a key repeated, a value of another type, a number outside JSON's grammar or
/// `Double`'s range. Its caller then decodes the whole body with `JSONDecoder`, which reads the rest
/// and names what is wrong; so a body is answered as before, only sooner when it is plain. What the
/// reader accepts holds nothing `JSONBodyCheck` refuses: no `\u0000`, no unpaired surrogate, no key
/// twice in one object.
///
/// Valid only inside the closure that lent it its bytes.
public struct JSONByteReader {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Whether nothing but whitespace is left.
    public mutating func atEnd() -> Bool {
        self.skipWhitespace()
        return self.position == self.bytes.count
    }

    /// Reads `null` if it comes next.
    public mutating func null() -> Bool {
        self.literal("null")
    }

    /// A boolean, or `nil` if something else comes next.
    public mutating func bool() -> Bool? {
        if self.literal("true") { return true }
        if self.literal("false") { return false }
        return nil
    }

    /// A string in valid UTF-8 without control characters; its escapes read as `JSONDecoder` reads
    /// them, but `\u0000` and a surrogate without its pair give up.
    public mutating func string() -> String? {
        guard self.take(UInt8(ascii: "\"")) else { return nil }
        let start = self.position
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
                self.position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return self.escapedString(from: start) }
            guard byte >= 0x20 else { return nil }
            self.position += 1
        }
        return nil
    }

    /// The rest of a string that holds an escape, from its first character at `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.position]))
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            self.position += 1
            if byte == UInt8(ascii: "\"") { return String(validating: utf8, as: UTF8.self) }
            guard byte >= 0x20 else { return nil }
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                continue
            }
            guard self.position < self.bytes.count else { return nil }
            let escape = self.bytes[self.position]
            self.position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
            case UInt8(ascii: "b"): utf8.append(8)
            case UInt8(ascii: "f"): utf8.append(12)
            case UInt8(ascii: "n"): utf8.append(UInt8(ascii: "\n"))
            case UInt8(ascii: "r"): utf8.append(UInt8(ascii: "\r"))
            case UInt8(ascii: "t"): utf8.append(UInt8(ascii: "\t"))
            case UInt8(ascii: "u"):
                guard var unit = self.hex4(), unit != 0, !(0xDC00...0xDFFF).contains(unit) else { return nil }
                if (0xD800...0xDBFF).contains(unit) {
                    guard self.literal("\\u", skippingWhitespace: false), let low = self.hex4(), (0xDC00...0xDFFF).contains(low) else {
                        return nil
                    }
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(unit) else { return nil }
                utf8.append(contentsOf: UTF8.encode(scalar)!)
            default:
                return nil
            }
        }
        return nil
    }

    /// Four hex digits.
    private mutating func hex4() -> UInt32? {
        guard self.bytes.count - self.position >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Hex.value(self.bytes[self.position]) else { return nil }
            value = value << 4 | UInt32(digit)
            self.position += 1
        }
        return value
    }

    /// A number in JSON's grammar that a `Double` holds (as `JSONDecoder` reads it: `-0` is minus zero).
    public mutating func number() -> Double? {
        self.skipWhitespace()
        let start = self.position
        let negative = self.peekIs(UInt8(ascii: "-"))
        if negative { self.position += 1 }
        guard let first = self.digit() else { return nil }
        var integer = first
        var digits = 1
        if first != 0 {
            while let next = self.digit() {
                digits += 1
                if digits <= 15 { integer = integer * 10 + next }
            }
        }
        var plainInteger = digits <= 15
        // A number that reads as zero is taken only as `0`, `-0`, `0.00`…: one with a digit other
        // than 0 underflowed, which `JSONDecoder` refuses (`Double` rounds it to zero), and one with
        // an exponent `JSONDecoder` takes or refuses by rules of its own (`-0e5` but not `0e5`).
        var zeroRefused = first != 0
        if self.peekIs(UInt8(ascii: ".")) {
            self.position += 1
            guard let digit = self.digit() else { return nil }
            zeroRefused = zeroRefused || digit != 0
            while let next = self.digit() { zeroRefused = zeroRefused || next != 0 }
            plainInteger = false
        }
        if self.peekIs(UInt8(ascii: "e")) || self.peekIs(UInt8(ascii: "E")) {
            zeroRefused = true
            self.position += 1
            if self.peekIs(UInt8(ascii: "+")) || self.peekIs(UInt8(ascii: "-")) { self.position += 1 }
            guard self.digit() != nil else { return nil }
            while self.digit() != nil {}
            plainInteger = false
        }
        if plainInteger {
            // Up to 15 digits a Double holds exactly.
            return negative ? -Double(integer) : Double(integer)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite, value != 0 || !zeroRefused else { return nil }
        return value
    }

    /// Reads an object whose keys are among `keys`, each at most once: `member` reads the value of
    /// the key at that index and answers whether it could.
    public mutating func object(keys: [StaticString], _ member: (inout JSONByteReader, Int) -> Bool) -> Bool {
        precondition(keys.count <= 64)
        guard self.take(UInt8(ascii: "{")) else { return false }
        if self.take(UInt8(ascii: "}")) { return true }
        var seen: UInt64 = 0
        while true {
            guard let key = self.key(among: keys), seen & (1 << key) == 0, self.take(UInt8(ascii: ":")) else { return false }
            seen |= 1 << key
            guard member(&self, key) else { return false }
            if self.take(UInt8(ascii: ",")) { continue }
            return self.take(UInt8(ascii: "}"))
        }
    }

    /// Reads an array: `element` reads each element and answers whether it could.
    public mutating func array(_ element: (inout JSONByteReader) -> Bool) -> Bool {
        guard self.take(UInt8(ascii: "[")) else { return false }
        if self.take(UInt8(ascii: "]")) { return true }
        while true {
            guard element(&self) else { return false }
            if self.take(UInt8(ascii: ",")) { continue }
            return self.take(UInt8(ascii: "]"))
        }
    }

    /// An array of strings.
    public mutating func strings() -> [String]? {
        var strings: [String] = []
        let read = self.array { reader in
            guard let string = reader.string() else { return false }
            strings.append(string)
            return true
        }
        return read ? strings : nil
    }

    /// An optional value: `nil` when the reader fails, `.some(nil)` for `null`.
    public mutating func optional<Value>(_ read: (inout JSONByteReader) -> Value?) -> Value?? {
        if self.null() { return .some(nil) }
        guard let value = read(&self) else { return nil }
        return .some(value)
    }

    /// The index in `keys` of the key that comes next (its bytes as they are: a key with an escape is unknown).
    private mutating func key(among keys: [StaticString]) -> Int? {
        guard self.take(UInt8(ascii: "\"")) else { return nil }
        let start = self.position
        while self.position < self.bytes.count, self.bytes[self.position] != UInt8(ascii: "\"") {
            guard self.bytes[self.position] != UInt8(ascii: "\\") else { return nil }
            self.position += 1
        }
        guard self.position < self.bytes.count else { return nil }
        let key = UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.position])
        self.position += 1
        for (index, candidate) in keys.enumerated() where candidate.utf8CodeUnitCount == key.count {
            if memcmp(candidate.utf8Start, key.baseAddress!, key.count) == 0 { return index }
        }
        return nil
    }

    private mutating func literal(_ word: StaticString, skippingWhitespace: Bool = true) -> Bool {
        if skippingWhitespace { self.skipWhitespace() }
        let count = word.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count,
            memcmp(word.utf8Start, self.bytes.baseAddress! + self.position, count) == 0
        else { return false }
        self.position += count
        return true
    }

    private mutating func digit() -> Int? {
        guard self.position < self.bytes.count else { return nil }
        let byte = self.bytes[self.position]
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
        self.position += 1
        return Int(byte - UInt8(ascii: "0"))
    }

    private func peekIs(_ byte: UInt8) -> Bool {
        self.position < self.bytes.count && self.bytes[self.position] == byte
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        self.skipWhitespace()
        guard self.peekIs(byte) else { return false }
        self.position += 1
        return true
    }

    private mutating func skipWhitespace() {
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): self.position += 1
            default: return
            }
        }
    }
}

/// A body type with a hand-written reader for its usual shape (`JSONByteReader`): the request
/// decoder tries it first and decodes with `JSONDecoder` when it gives up.
public protocol JSONByteReadable {
    /// The value at the reader, or `nil` when it is not in the shape this reader takes.
    static func read(from reader: inout JSONByteReader) -> Self?
}

extension JSONByteReadable {
    /// The whole body as this type, or `nil` when the reader gives up or more than whitespace follows.
    public static func read(body bytes: UnsafeRawBufferPointer) -> Self? {
        var reader = JSONByteReader(bytes: bytes)
        guard let value = Self.read(from: &reader), reader.atEnd() else { return nil }
        return value
    }
}

/// A batch upload's body: `{"items": [...]}`, each item read on its own (`LenientItem`).
public struct BatchBody<Input: Decodable & Sendable>: Decodable, Sendable {
    public var items: [LenientItem<Input>]
}

extension BatchBody: JSONByteReadable where Input: JSONByteReadable {
    public static func read(from reader: inout JSONByteReader) -> BatchBody? {
        var items: [LenientItem<Input>]?
        let read = reader.object(keys: ["items"]) { reader, _ in
            var list: [LenientItem<Input>] = []
            let read = reader.array { reader in
                guard let input = Input.read(from: &reader) else { return false }
                list.append(LenientItem(input: input))
                return true
            }
            items = list
            return read
        }
        guard read, let items else { return nil }
        return BatchBody(items: items)
    }
}
