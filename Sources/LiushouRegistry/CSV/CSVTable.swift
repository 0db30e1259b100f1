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

    /// Parses text (already decoded to a String). Read as UTF-8 bytes: the characters that delimit
    /// (quote, comma, CR, LF) are ASCII, and no byte of a multi-byte character is, so each field's
    /// bytes are whole characters.
    public init(parsing text: String) throws {
        var text = text
        self = try text.withUTF8 { try Self(parsing: $0) }
    }

    private init(parsing bytes: UnsafeBufferPointer<UInt8>) throws {
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        var records: [(Int, [String], Int)] = []
        var field: [UInt8] = []
        var fields: [String] = []
        // The spreadsheet row being read: one a record, wherever its fields hold line breaks.
        var line = 1
        var recordLine = 1
        // The file line being read, and the one the record started on.
        var fileLine = 1
        var recordFileLine = 1
        var inQuotes = false
        var quoteLine = 1
        var index = 0
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() {
            endField()
            if !fields.allSatisfy({ $0.trimmingSpaces().isEmpty }) { records.append((recordLine, fields, recordFileLine)) }
            fields = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inQuotes {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote {
                        field.append(quote)
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if byte == lf { fileLine += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case quote where field.isEmpty:
                inQuotes = true
                quoteLine = line
            case comma:
                endField()
            case cr:
                let followedByLF = index < bytes.count && bytes[index] == lf
                if followedByLF { index += 1 }
                endRecord()
                line += 1
                recordLine = line
                if followedByLF { fileLine += 1 }
                recordFileLine = fileLine
            case lf:
                endRecord()
                line += 1
                recordLine = line
                fileLine += 1
                recordFileLine = fileLine
            default:
                field.append(byte)
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
