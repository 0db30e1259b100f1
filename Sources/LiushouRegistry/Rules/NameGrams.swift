/// Character unigrams and bigrams of a name: a GIN index over them finds any substring of a Chinese
/// name (two-character queries match a bigram; longer ones all their bigrams), where word-based
/// text search and trigrams do not work.
public enum NameGrams {
    /// Grams stored for a name.
    public static func index(_ name: String) -> [String] {
        let characters = Array(self.normalise(name))
        var grams = Set(characters.map(String.init))
        if characters.count > 1 {
            for position in 0..<(characters.count - 1) {
                grams.insert(String(characters[position...(position + 1)]))
            }
        }
        return grams.sorted()
    }

    /// Grams a query must all match.
    public static func query(_ text: String) -> [String] {
        let characters = Array(self.normalise(text))
        guard characters.count > 1 else { return characters.map(String.init) }
        return Array(Set((0..<(characters.count - 1)).map { String(characters[$0...($0 + 1)]) })).sorted()
    }

    /// Lower-case, without white space.
    public static func normalise(_ text: String) -> String {
        text.lowercased().filter { !$0.isWhitespace }
    }
}
