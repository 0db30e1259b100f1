extension KeyedDecodingContainer {
    /// The query parameter `key` parsed by `parse`: nil when absent, `invalid` (a 400 naming the
    /// parameter) when `parse` refuses it. Typed query structs read their fields with it in
    /// `init(from:)`: Hummingbird's own answer to a malformed value would not name the parameter.
    public func parameter<Value>(_ key: Key, _ parse: (String) -> Value?, invalid: @autoclosure () -> Problem) throws -> Value? {
        guard let text = try self.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = parse(text) else { throw invalid() }
        return value
    }

    /// As `parameter(_:_:invalid:)`, refusing with 400 "`key` is invalid." and `message` for the field.
    public func parameter<Value>(_ key: Key, _ parse: (String) -> Value?, message: String) throws -> Value? {
        try self.parameter(
            key,
            parse,
            invalid: .badRequest("\(key.stringValue) is invalid.", errors: [.init(field: key.stringValue, message: message)])
        )
    }

    /// A whole number in `range`, `absent` when the parameter is not sent; 400 naming it otherwise.
    public func integer(_ key: Key, in range: ClosedRange<Int>, default absent: Int) throws -> Int {
        let message = "must be \(range.lowerBound) to \(range.upperBound)"
        return try self.parameter(key, { Int($0).flatMap { range.contains($0) ? $0 : nil } }, message: message) ?? absent
    }

    /// A parameter the route needs: 400 "`key` is required." and `message` for the field when it is
    /// missing or `parse` refuses it.
    public func required<Value>(_ key: Key, _ parse: (String) -> Value?, message: String) throws -> Value {
        let problem = Problem.badRequest("\(key.stringValue) is required.", errors: [.init(field: key.stringValue, message: message)])
        guard let value = try self.parameter(key, parse, invalid: problem) else { throw problem }
        return value
    }
}
