/// A coding key by its name. Typed query structs read `decoder.container(keyedBy: NamedKey.self)` and
/// name each parameter where they read it (`query.required("unitId", …)`), with no `CodingKeys` enum
/// to keep in step; tests read the keys an answer holds with it.
public struct NamedKey: CodingKey, ExpressibleByStringLiteral, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }

    public init(stringValue: String) {
        self.stringValue = stringValue
    }

    public init?(intValue: Int) {
        nil
    }

    public init(stringLiteral value: String) {
        self.stringValue = value
    }
}
