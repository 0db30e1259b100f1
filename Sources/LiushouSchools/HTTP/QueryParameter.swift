import LiushouHTTP

extension KeyedDecodingContainer {
    /// The query parameter `key` parsed by `parse`: nil when absent, `invalid` (a 400 naming the
    /// parameter) when `parse` refuses it. Hummingbird's own answer to a malformed value would not
    /// name the parameter.
    func parameter<Value>(_ key: Key, _ parse: (String) -> Value?, invalid: @autoclosure () -> Problem) throws -> Value? {
        guard let text = try self.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = parse(text) else { throw invalid() }
        return value
    }
}
