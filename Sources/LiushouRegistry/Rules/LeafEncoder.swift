import Foundation

/// An `Encoder` that keeps the leaves a value's JSON form would have, as `path → text`
/// (`child.guardian.name`, `migrantFamily[0].phone`), without writing JSON. Strings, booleans and
/// `Int`s are the leaves' own text; other numbers, dates, data and URLs go through JSON alone, so
/// their text is the one `FileDiff.flattenThroughJSON` gives (a value JSON cannot hold, such as NaN,
/// fails the whole value, as it fails JSON). Nil and empty containers leave nothing.
struct LeafEncoder: Encoder {
    /// The leaves written so far, shared by the encoder's containers.
    final class Leaves {
        var values: [String: String] = [:]
    }

    let leaves: Leaves
    let path: String

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed(leaves: self.leaves, path: self.path))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        Unkeyed(leaves: self.leaves, path: self.path)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        Single(leaves: self.leaves, path: self.path)
    }

    /// Writes `value` at `path`: a leaf for a string, boolean or `Int` (through JSON for other numbers,
    /// dates, data and URLs), its own encoding otherwise.
    static func write(_ value: some Encodable, at path: String, into leaves: Leaves) throws {
        switch value {
        case let text as String: leaves.values[path] = text
        case let flag as Bool: leaves.values[path] = flag ? "true" : "false"
        case let number as Int: leaves.values[path] = String(number)
        case is Double, is Float, is any FixedWidthInteger, is Decimal, is Data, is URL, is Date:
            // Its text as JSON would give it back (`37.0` may come back as `37`; JSON writes data as
            // base64 and a URL as its text, not as they encode themselves).
            leaves.values[path] = try FileDiff.leavesThroughJSON([value])["[0]"]
        default: try value.encode(to: LeafEncoder(leaves: leaves, path: path))
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let leaves: Leaves
        let path: String
        var codingPath: [any CodingKey] { [] }

        private func at(_ key: Key) -> String { self.path.isEmpty ? key.stringValue : self.path + "." + key.stringValue }

        mutating func encodeNil(forKey key: Key) {}
        mutating func encode(_ value: Bool, forKey key: Key) { self.leaves.values[self.at(key)] = value ? "true" : "false" }
        mutating func encode(_ value: String, forKey key: Key) { self.leaves.values[self.at(key)] = value }
        mutating func encode(_ value: Int, forKey key: Key) { self.leaves.values[self.at(key)] = String(value) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try LeafEncoder.write(value, at: self.at(key), into: self.leaves) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(leaves: self.leaves, path: self.at(key)))
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            Unkeyed(leaves: self.leaves, path: self.at(key))
        }

        mutating func superEncoder() -> any Encoder {
            LeafEncoder(leaves: self.leaves, path: self.path.isEmpty ? "super" : self.path + ".super")
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder { LeafEncoder(leaves: self.leaves, path: self.at(key)) }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let leaves: Leaves
        let path: String
        private(set) var count = 0
        var codingPath: [any CodingKey] { [] }

        init(leaves: Leaves, path: String) {
            self.leaves = leaves
            self.path = path
        }

        private mutating func next() -> String {
            defer { self.count += 1 }
            return self.path + "[\(self.count)]"
        }

        mutating func encodeNil() { self.count += 1 }
        mutating func encode<T: Encodable>(_ value: T) throws { try LeafEncoder.write(value, at: self.next(), into: self.leaves) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            KeyedEncodingContainer(Keyed<NestedKey>(leaves: self.leaves, path: self.next()))
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(leaves: self.leaves, path: self.next()) }
        mutating func superEncoder() -> any Encoder { LeafEncoder(leaves: self.leaves, path: self.next()) }
    }

    private struct Single: SingleValueEncodingContainer {
        let leaves: Leaves
        let path: String
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil() {}
        mutating func encode(_ value: Bool) { self.leaves.values[self.path] = value ? "true" : "false" }
        mutating func encode(_ value: String) { self.leaves.values[self.path] = value }
        mutating func encode(_ value: Int) { self.leaves.values[self.path] = String(value) }
        mutating func encode<T: Encodable>(_ value: T) throws { try LeafEncoder.write(value, at: self.path, into: self.leaves) }
    }
}
