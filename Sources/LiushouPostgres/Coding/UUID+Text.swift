import Foundation

extension UUID {
    /// Reads the 36-character form, `8-4-4-4-12` hex digits in either case, and nothing else.
    ///
    /// Foundation's `init(uuidString:)` reads each group with `sscanf`: over a microsecond an
    /// id (a batch reads thousands), and it takes a sign, a space or `0x` inside a group, so that
    /// `" 621e1f8-…"` reads as another id. PostgreSQL and every client write the canonical form.
    public init?(canonical text: String) {
        var text = text
        guard let value = text.withUTF8({ Self.parse(canonical: $0) }) else { return nil }
        self = value
    }

    /// The 36-character form in lower case, as PostgreSQL writes it.
    public var lowercasedText: String { self.text(digits: Hex.lowerDigits) }

    /// The 36-character form in upper case: `uuidString` without its `snprintf`.
    public var uppercasedText: String { self.text(digits: Hex.upperDigits) }

    /// Appends the upper-case form's UTF-8 to `bytes` (for JSON written byte by byte).
    public func appendUppercased(to bytes: inout [UInt8]) {
        self.append(to: &bytes, digits: Hex.upperDigits)
    }

    /// Appends the lower-case form's UTF-8 to `bytes` (for array literals written byte by byte).
    public func appendLowercased(to bytes: inout [UInt8]) {
        self.append(to: &bytes, digits: Hex.lowerDigits)
    }

    private func append(to bytes: inout [UInt8], digits: [UInt8]) {
        withUnsafeBytes(of: self.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    private func text(digits: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            var out = 0
            withUnsafeBytes(of: self.uuid) { raw in
                for (index, byte) in raw.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        buffer[out] = UInt8(ascii: "-")
                        out += 1
                    }
                    buffer[out] = digits[Int(byte >> 4)]
                    buffer[out + 1] = digits[Int(byte & 0x0F)]
                    out += 2
                }
            }
            return out
        }
    }

    private static func parse(canonical text: UnsafeBufferPointer<UInt8>) -> UUID? {
        guard text.count == 36 else { return nil }
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = withUnsafeMutableBytes(of: &uuid) { raw -> Bool in
            var index = 0
            for out in 0..<16 {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard text[index] == UInt8(ascii: "-") else { return false }
                    index += 1
                }
                guard let high = Hex.value(text[index]), let low = Hex.value(text[index + 1]) else { return false }
                raw[out] = high << 4 | low
                index += 2
            }
            return true
        }
        return read ? UUID(uuid: uuid) : nil
    }
}

extension KeyedDecodingContainer {
    /// A UUID read with `UUID(canonical:)`, failing as `decode(UUID.self, forKey:)` does (with
    /// Foundation's message), for bodies decoded in bulk.
    public func decodeUUID(forKey key: Key) throws -> UUID {
        let text = try self.decode(String.self, forKey: key)
        guard let value = UUID(canonical: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: UUID.invalidTextMessage)
        }
        return value
    }

    /// An optional UUID read with `UUID(canonical:)`: `nil` when the key is absent or null.
    public func decodeUUIDIfPresent(forKey key: Key) throws -> UUID? {
        guard let text = try self.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = UUID(canonical: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: UUID.invalidTextMessage)
        }
        return value
    }
}

extension UUID {
    /// What Foundation's decoder says of a string that is not a UUID (so answers keep their words).
    static let invalidTextMessage = "Attempted to decode UUID from invalid UUID string."
}
