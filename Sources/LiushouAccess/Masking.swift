/// Masks identifiers for display: ID numbers as first 6 + last 4, phones as `138****5678`.
public enum Masking {
    /// `110105********1234` for an 18-digit ID number; other lengths keep only their last 4.
    public static func idNumber(_ value: String) -> String {
        let characters = Array(value)
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10) + String(characters.suffix(4))
    }

    /// `138****5678` for a mobile; landlines keep their area code and last 2 digits (`0564-*****66`).
    public static func phone(_ value: String) -> String {
        let characters = Array(value)
        if characters.count == 11, characters.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return String(characters.prefix(3)) + "****" + String(characters.suffix(4))
        }
        // A landline's area code (0 and 2 or 3 digits) stays; anything else before a dash is masked.
        if let dash = characters.firstIndex(of: "-"), (3...4).contains(dash), characters[0] == "0",
            characters[..<dash].allSatisfy({ $0.isASCII && $0.isNumber })
        {
            let local = characters[(dash + 1)...]
            guard local.count > 2 else { return String(characters[...dash]) + String(repeating: "*", count: local.count) }
            return String(characters[...dash]) + String(repeating: "*", count: local.count - 2) + String(local.suffix(2))
        }
        guard characters.count > 4 else { return String(repeating: "*", count: characters.count) }
        return String(repeating: "*", count: characters.count - 4) + String(characters.suffix(4))
    }
}
