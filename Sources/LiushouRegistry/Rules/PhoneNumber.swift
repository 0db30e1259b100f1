import LiushouAccess

/// A Chinese phone number: an 11-digit mobile (1[3-9]…) or a landline with its area code (0564-4552466).
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// Mobile or landline.
    public enum Kind: String, Sendable {
        case mobile
        case landline
    }

    /// The number as stored (digits, with one dash after a landline's area code).
    public let value: String
    /// Mobile or landline.
    public let kind: Kind

    /// Validates a number; spaces are ignored, a `+86` prefix is dropped from mobiles.
    public init?(_ text: String) {
        var compact = text.filter { $0 != " " }
        if compact.hasPrefix("+86") { compact.removeFirst(3) }
        let characters = Array(compact)
        if characters.count == 11, characters.allSatisfy({ $0.isASCII && $0.isNumber }), characters[0] == "1",
            ("3"..."9").contains(characters[1])
        {
            self.value = compact
            self.kind = .mobile
            return
        }
        let parts = compact.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].first == "0", (3...4).contains(parts[0].count), (7...8).contains(parts[1].count),
            (parts[0] + parts[1]).allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        self.value = compact
        self.kind = .landline
    }

    /// Masked for display (`138****5678`, `0564-*****66`).
    public var description: String {
        Masking.phone(self.value)
    }
}
