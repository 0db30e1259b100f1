import Foundation

/// Field-level differences between two versions of a file, as flat `path → text` maps
/// (`child.guardian.name`, `migrantFamily[0].phone`).
public enum FileDiff {
    /// One changed field.
    public struct Change: Sendable, Equatable, Codable {
        public var field: String
        public var oldValue: String?
        public var newValue: String?

        public init(field: String, oldValue: String?, newValue: String?) {
            self.field = field
            self.oldValue = oldValue
            self.newValue = newValue
        }
    }

    /// The leaves of a value's JSON form, read from the value as it encodes itself (`LeafEncoder`):
    /// writing the JSON and parsing it back took most of a changed ledger's import.
    public static func flatten(_ value: some Encodable) -> [String: String] {
        let leaves = LeafEncoder.Leaves()
        guard (try? LeafEncoder.write(value, at: "", into: leaves)) != nil else { return [:] }
        return leaves.values
    }

    /// The leaves of a value's JSON form, by writing it and parsing it back: what `flatten` answers.
    static func flattenThroughJSON(_ value: some Encodable) -> [String: String] {
        (try? self.leavesThroughJSON(value)) ?? [:]
    }

    /// `flattenThroughJSON`, throwing when the value has no JSON form (a NaN).
    static func leavesThroughJSON(_ value: some Encodable) throws -> [String: String] {
        let tree = try JSONDecoder().decode(Node.self, from: try JSONEncoder().encode(value))
        var leaves: [String: String] = [:]
        tree.walk(path: "", into: &leaves)
        return leaves
    }

    /// Fields whose text differs, sorted by path.
    public static func changes(from old: [String: String], to new: [String: String]) -> [Change] {
        Set(old.keys).union(new.keys).sorted().compactMap { field in
            old[field] == new[field] ? nil : Change(field: field, oldValue: old[field], newValue: new[field])
        }
    }

    /// A parsed JSON value that keeps booleans apart from numbers.
    private enum Node: Decodable {
        case object([String: Node])
        case array([Node])
        case leaf(String)
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .leaf(value ? "true" : "false")
            } else if let value = try? container.decode(Int.self) {
                self = .leaf(String(value))
            } else if let value = try? container.decode(Double.self) {
                self = .leaf(String(value))
            } else if let value = try? container.decode(String.self) {
                self = .leaf(value)
            } else if let value = try? container.decode([Node].self) {
                self = .array(value)
            } else {
                self = .object(try container.decode([String: Node].self))
            }
        }

        func walk(path: String, into leaves: inout [String: String]) {
            switch self {
            case .object(let members):
                for (key, value) in members { value.walk(path: path.isEmpty ? key : path + "." + key, into: &leaves) }
            case .array(let items):
                for (index, value) in items.enumerated() { value.walk(path: path + "[\(index)]", into: &leaves) }
            case .leaf(let text):
                leaves[path] = text
            case .null:
                break
            }
        }
    }
}
