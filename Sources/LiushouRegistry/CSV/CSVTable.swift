import Foundation
import LiushouPlatform

/// A parsed CSV file: a header row and data rows (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
public struct CSVTable: Sendable, Equatable {
    /// Why a file is not CSV.
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unterminatedQuote(line: Int)
        case empty

        public var description: String {
            switch self {
            case .unterminatedQuote(let line): return "a quoted field starting on row \(line) is never closed"
            case .empty: return "the file has no header row"
            }
        }
    }

    public var header: [String]
    /// Data rows with the row number each has in a spreadsheet (`line`): a line break inside a
    /// quoted field (Alt+Enter in Excel) stays in its row. Blank rows, and rows of empty cells that
    /// Excel writes for cleared rows (`,,,,`), are skipped.
    public var rows: [(line: Int, fields: [String])]
    /// The file line (counted in line feeds, as `TextDecoding` reports unreadable bytes) each row starts on.
    public var fileLines: [Int]

    public static func == (lhs: CSVTable, rhs: CSVTable) -> Bool {
        lhs.header == rhs.header && lhs.rows.map(\.line) == rhs.rows.map(\.line) && lhs.rows.map(\.fields) == rhs.rows.map(\.fields)
    }

    /// Parses text (already decoded to a String).
    public init(parsing text: String) throws {
        var records: [(Int, [String], Int)] = []
        var field = ""
        var fields: [String] = []
        // The spreadsheet row being read: one a record, wherever its fields hold line breaks.
        var line = 1
        var recordLine = 1
        // The file line being read, and the one the record started on.
        var fileLine = 1
        var recordFileLine = 1
        var inQuotes = false
        var quoteLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let scalar = pending {
                pending = nil
                return scalar
            }
            return iterator.next()
        }
        func endRecord() {
            fields.append(field)
            field = ""
            if !fields.allSatisfy({ $0.trimmingSpaces().isEmpty }) { records.append((recordLine, fields, recordFileLine)) }
            fields = []
        }
        while let scalar = next() {
            if inQuotes {
                if scalar == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = following
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if scalar == "\n" { fileLine += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteLine = line
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                let following = next()
                if let following, following != "\n" { pending = following }
                endRecord()
                line += 1
                recordLine = line
                if following == "\n" { fileLine += 1 }
                recordFileLine = fileLine
            case "\n":
                endRecord()
                line += 1
                recordLine = line
                fileLine += 1
                recordFileLine = fileLine
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw ParseError.unterminatedQuote(line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else { throw ParseError.empty }
        self.header = first.1.map { $0.trimmingSpaces() }
        self.rows = records.dropFirst().map { (line: $0.0, fields: $0.1) }
        self.fileLines = records.dropFirst().map(\.2)
    }
}
