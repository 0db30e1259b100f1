import Foundation

/// The text of an alert: `{placeholder}`s filled from facts the SQL picks (unit names, a masked name,
/// a category, a count, a deadline). A template may hold no other placeholder and nothing that
/// looks like an identifier, so a county's own wording cannot carry one either.
public enum AlertTemplate {
    /// The placeholders and what they hold, for the people who write templates.
    public static let placeholders: [String: String] = [
        "unit": "单位名称", "person": "对象（姓名已遮盖）", "kind": "事项类别", "count": "数量", "due": "期限", "minutes": "分钟数",
    ]

    /// Why the template cannot be used, or `nil`.
    public static func problem(in template: String, maxLength: Int) -> String? {
        let text = template.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty || text.unicodeScalars.count > maxLength { return "must be 1 to \(maxLength) characters" }
        // Scalar by scalar: a brace after a prepended mark is one Character with it.
        var rest = Substring(text).unicodeScalars
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return "has a { without }" }
            var name = ""
            name.unicodeScalars.append(contentsOf: rest[rest.index(after: open)..<close])
            if self.placeholders[name] == nil { return "has an unknown placeholder {\(name)}" }
            rest = rest[rest.index(after: close)...]
        }
        if self.looksLikeIdentifier(text) { return "must not contain an ID or phone number" }
        return nil
    }

    /// A run of 7 or more digits (an ID number, a phone, a bank account) in any width of digit. Marks
    /// and invisible format characters (a combining accent, a zero-width space) between the digits
    /// do not break the run.
    public static func looksLikeIdentifier(_ text: String) -> Bool {
        var run = 0
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .decimalNumber:
                run += 1
                if run >= 7 { return true }
            case .nonspacingMark, .spacingMark, .enclosingMark, .format:
                continue
            default:
                run = 0
            }
        }
        return false
    }
}
