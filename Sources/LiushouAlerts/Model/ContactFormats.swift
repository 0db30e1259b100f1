/// Phone numbers as people write them, and as alerts show them.
public enum ContactFormats {
    /// A mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (0564-4552466);
    /// spaces and dashes are dropped. `nil` when it is neither.
    public static func normalisedPhone(_ text: String) -> String? {
        let compact = text.filter { $0 != " " && $0 != "-" }
        guard compact.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = Array(compact)
        if digits.count == 11, digits[0] == "1", ("3"..."9").contains(digits[1]) { return compact }
        if (10...12).contains(digits.count), digits[0] == "0" { return compact }
        return nil
    }

    /// `138****5678`: the first three and last four digits.
    public static func maskedPhone(_ phone: String) -> String {
        guard phone.count > 7 else { return String(repeating: "*", count: phone.count) }
        return String(phone.prefix(3)) + String(repeating: "*", count: phone.count - 7) + String(phone.suffix(4))
    }

    /// A WeCom or DingTalk user id: 1 to 64 letters, digits, `_`, `-`, `.` or `@`, and not `@all`
    /// (which would make a robot mention the whole group).
    public static func isUserID(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.lowercased() != "@all"
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.@".contains($0)) }
    }
}
