import LiushouPostgres
import NIOCore

/// What a request body must not hold even when it is well-formed JSON: a key twice in one object (a
/// proxy and the server could act on different values) and characters PostgreSQL cannot store in
/// text (`\u0000`, and escaped surrogates that pair with nothing). One pass over the bytes, before
/// the decoder or, for a large body, beside it (its refusal answers first); syntax errors are left to
/// the decoder, which names them.
package enum JSONBodyCheck {
    /// The first offence, as a 400 naming the field's path, or `nil`.
    package static func problem(in buffer: ByteBuffer) -> Problem? {
        let offence = buffer.withUnsafeReadableBytes { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.run()
        }
        guard let offence else { return nil }
        switch offence {
        case .duplicateKey(let path):
            return .badRequest(
                "Field \(path) appears twice in one object.",
                errors: [.init(field: path, message: "appears twice; send each field once")]
            )
        case .unstorableCharacter(let path):
            return .badRequest(
                "Field \(path) holds a character that cannot be stored.",
                errors: [.init(field: path, message: "must not contain the NUL character (\\u0000) or an unpaired surrogate")]
            )
        }
    }

    enum Offence: Equatable {
        case duplicateKey(String)
        case unstorableCharacter(String)
    }

    /// A container being read: an object (its keys so far and the key of the value being read) or
    /// an array (the index of the value being read).
    private enum Frame {
        case object(keys: Set<String>, current: String?)
        case array(index: Int)
    }

    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var position = 0
        private var stack: [Frame] = []

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        /// Reads the document; `nil` when nothing is wrong or the syntax is (the decoder reports that).
        mutating func run() -> Offence? {
            while true {
                self.skipWhitespace()
                guard self.position < self.bytes.count else { return nil }
                let byte = self.bytes[self.position]
                switch byte {
                case UInt8(ascii: "{"):
                    self.stack.append(.object(keys: [], current: nil))
                    self.position += 1
                case UInt8(ascii: "["):
                    self.stack.append(.array(index: 0))
                    self.position += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard !self.stack.isEmpty else { return nil }
                    self.stack.removeLast()
                    self.position += 1
                case UInt8(ascii: ","):
                    guard let top = self.stack.last else { return nil }
                    if case .array(let index) = top { self.stack[self.stack.count - 1] = .array(index: index + 1) }
                    self.position += 1
                case UInt8(ascii: ":"):
                    self.position += 1
                case UInt8(ascii: "\""):
                    let isKey: Bool
                    if case .object(_, let current) = self.stack.last, current == nil { isKey = true } else { isKey = false }
                    guard let string = self.readString(keepingText: isKey) else { return nil }
                    if string.unstorable {
                        return .unstorableCharacter(isKey ? self.path(appending: string.text) : self.path())
                    }
                    if isKey {
                        guard case .object(var keys, _) = self.stack.last else { return nil }
                        guard keys.insert(string.text).inserted else { return .duplicateKey(self.path(appending: string.text)) }
                        self.stack[self.stack.count - 1] = .object(keys: keys, current: string.text)
                    } else {
                        self.valueEnded()
                    }
                default:
                    // A number, true, false or null: skip to the next structural character.
                    while self.position < self.bytes.count, !Self.isStructural(self.bytes[self.position]) { self.position += 1 }
                    self.valueEnded()
                }
                if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { self.valueEnded() }
            }
        }

        /// After an object member's value the next string is a key again.
        private mutating func valueEnded() {
            if case .object(let keys, .some) = self.stack.last {
                self.stack[self.stack.count - 1] = .object(keys: keys, current: nil)
            }
        }

        private static func isStructural(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ":"),
                UInt8(ascii: "\""), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                return true
            default:
                return false
            }
        }

        private mutating func skipWhitespace() {
            while self.position < self.bytes.count {
                switch self.bytes[self.position] {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): self.position += 1
                default: return
                }
            }
        }

        /// Reads a string starting at its opening quote (its text only when `keepingText`: keys); `nil`
        /// if it never ends or an escape is malformed.
        private mutating func readString(keepingText: Bool) -> (text: String, unstorable: Bool)? {
            self.position += 1
            var utf8: [UInt8] = []
            var unstorable = false
            var pendingHigh: UInt32?
            while self.position < self.bytes.count {
                let byte = self.bytes[self.position]
                if byte == UInt8(ascii: "\"") {
                    self.position += 1
                    if pendingHigh != nil { unstorable = true }
                    return (String(decoding: utf8, as: UTF8.self), unstorable)
                }
                if byte == 0 { unstorable = true }
                guard byte == UInt8(ascii: "\\") else {
                    if pendingHigh != nil {
                        unstorable = true
                        pendingHigh = nil
                    }
                    if keepingText { utf8.append(byte) }
                    self.position += 1
                    continue
                }
                guard self.position + 1 < self.bytes.count else { return nil }
                let escape = self.bytes[self.position + 1]
                self.position += 2
                guard escape == UInt8(ascii: "u") else {
                    if pendingHigh != nil {
                        unstorable = true
                        pendingHigh = nil
                    }
                    if keepingText { utf8.append(Self.unescaped(escape)) }
                    continue
                }
                guard self.position + 4 <= self.bytes.count, let unit = self.hex4(at: self.position) else { return nil }
                self.position += 4
                switch unit {
                case 0:
                    unstorable = true
                case 0xD800...0xDBFF:
                    if pendingHigh != nil { unstorable = true }
                    pendingHigh = unit
                case 0xDC00...0xDFFF:
                    guard let high = pendingHigh else {
                        unstorable = true
                        continue
                    }
                    pendingHigh = nil
                    let scalar = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00)
                    if keepingText, let value = Unicode.Scalar(scalar) { utf8.append(contentsOf: String(Character(value)).utf8) }
                default:
                    if pendingHigh != nil {
                        unstorable = true
                        pendingHigh = nil
                    }
                    if keepingText, let value = Unicode.Scalar(unit) { utf8.append(contentsOf: String(Character(value)).utf8) }
                }
            }
            return nil
        }

        /// Four hex digits at `index` as a number.
        private func hex4(at index: Int) -> UInt32? {
            var value: UInt32 = 0
            for offset in 0..<4 {
                guard let digit = Hex.value(self.bytes[index + offset]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        private static func unescaped(_ escape: UInt8) -> UInt8 {
            switch escape {
            case UInt8(ascii: "n"): return UInt8(ascii: "\n")
            case UInt8(ascii: "t"): return UInt8(ascii: "\t")
            case UInt8(ascii: "r"): return UInt8(ascii: "\r")
            case UInt8(ascii: "b"): return 8
            case UInt8(ascii: "f"): return 12
            default: return escape
            }
        }

        /// The path of the value being read (`members[1].name`), or of `key` inside the current object.
        private func path(appending key: String? = nil) -> String {
            var keys: [String] = []
            for frame in self.stack {
                switch frame {
                case .object(_, let current):
                    if let current { keys.append(current) }
                case .array(let index):
                    keys.append("[\(index)]")
                }
            }
            if let key { keys.append(key) }
            var path = ""
            for key in keys {
                if key.hasPrefix("[") { path += key } else { path += path.isEmpty ? key : ".\(key)" }
            }
            return path.isEmpty ? "(body)" : path
        }
    }
}
