import Foundation

/// Writes CSV that spreadsheets open safely: fields quoted when needed, and any field a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) prefixed with
/// an apostrophe (OWASP CSV injection guidance).
public struct CSVWriter: Sendable {
    /// The text so far (UTF-8 with a BOM, which Excel needs to read Chinese correctly).
    public private(set) var text: String = "\u{FEFF}"

    public init() {}

    /// Appends a row.
    public mutating func append(_ fields: [String]) {
        self.text += fields.map(Self.cell).joined(separator: ",") + "\r\n"
    }

    /// Appends a row whose cells at `numberColumns` hold numbers to keep as written (ID numbers,
    /// area codes, phones, household numbers). Excel reads a cell of digits as a number: 18 digits
    /// lose their last three, 12 show as 3.41E+11 and 0012 becomes 12, and so they are saved back.
    /// A leading tab keeps such a cell text; readers trim it (the ledger import does).
    public mutating func append(_ fields: [String], keepingDigits numberColumns: Set<Int>) {
        self.text +=
            fields.enumerated().map { index, value in
                numberColumns.contains(index) && Self.isDigits(value) ? "\t" + value : Self.cell(value)
            }.joined(separator: ",") + "\r\n"
    }

    /// Digits, and an ID number's final X.
    static func isDigits(_ value: String) -> Bool {
        guard let first = value.unicodeScalars.first, ("0"..."9").contains(first) else { return false }
        return value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "X" || $0 == "x" }
    }

    /// A field made inert and quoted as needed.
    public static func cell(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        // Scalar by scalar: CRLF is one Character, as is a comma or quote followed by a combining mark.
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            if scalar == "\"" { quoted += "\"\"" } else { quoted.unicodeScalars.append(scalar) }
        }
        return quoted + "\""
    }
}
