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
