import Foundation
import LiushouPlatform
import Testing

@testable import LiushouRegistry

/// Reading ledgers faster must read them exactly as before: the CSV reader on bytes against the
/// reader on Unicode scalars it replaced, the columns' identity, and vocabulary codes and names.
@Suite("Ledger reading")
struct LedgerReadingTests {
    @Test("the CSV reader on bytes reads random text exactly as the reader on Unicode scalars did")
    func csvAgainstScalarReader() throws {
        // Delimiters, spaces a trim removes, a combining accent that joins a quote or comma into one
        // Character, Han characters of two and four UTF-8 bytes, an emoji.
        let alphabet: [String] = ["\"", "\"", ",", ",", "\r", "\n", "\r\n", "a", " ", "王", "\u{301}", "𠀀", "😀", "\u{3000}", "\u{200B}"]
        // A failing text is printed with the seed that draws it again.
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SplitMix64(seed: seed)
        var compared = 0
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let expected = Result { try ScalarCSVReader.parse(text) }
            let read = Result { try CSVTable(parsing: text) }
            switch (expected, read) {
            case (.success(let expected), .success(let read)):
                #expect(read.header == expected.header, "seed \(seed): \(text.debugDescription)")
                #expect(read.rows.map(\.fields) == expected.rows.map(\.fields), "seed \(seed): \(text.debugDescription)")
                #expect(read.rows.map(\.line) == expected.rows.map(\.line), "seed \(seed): \(text.debugDescription)")
                #expect(read.fileLines == expected.fileLines, "seed \(seed): \(text.debugDescription)")
                compared += 1
            case (.failure(let expected), .failure(let read)):
                #expect(read as? CSVTable.ParseError == expected as? CSVTable.ParseError, "seed \(seed): \(text.debugDescription)")
            default:
                Issue.record("seed \(seed): \(text.debugDescription): \(expected) against \(read)")
            }
        }
        #expect(compared > 1000, "most random texts have a header row")
    }

    @Test("a ledger column is equal to itself only, and its position is its place among all columns")
    func columnIdentity() {
        for (index, column) in LedgerColumn.allCases.enumerated() {
            #expect(Int(column.position) == index)
            #expect(LedgerColumn.allCases.filter { $0 == column } == [column])
        }
        #expect(Set(LedgerColumn.allCases).count == LedgerColumn.allCases.count)
        #expect(MemoryLayout<LedgerColumn>.size == 1)
    }

    @Test("vocabulary reads codes and Chinese names, and nothing else")
    func vocabulary() {
        #expect(PersonCategory.parse("留守儿童") == .leftBehindChild)
        #expect(PersonCategory.parse(" left_behind_elder ") == .leftBehindElder)
        #expect(HealthStatus.parse("健康") == HealthStatus.allCases.first { $0.chineseName == "健康" })
        #expect(PersonCategory.parse("留守") == nil)
        #expect(PersonCategory.parse("") == nil)
        for value in RiskLevel.allCases {
            #expect(RiskLevel.parse(value.chineseName) == value)
            #expect(RiskLevel.parse(value.rawValue) == value)
        }
        for value in FamilyRelationship.allCases {
            #expect(FamilyRelationship.parse("\u{3000}" + value.chineseName + " ") == value)
        }
    }
}

/// The scalar-by-scalar reader `CSVTable` used before it read bytes (the reference above).
private enum ScalarCSVReader {
    struct Row {
        var line: Int
        var fields: [String]
    }

    struct Parsed {
        var header: [String]
        var rows: [Row]
        var fileLines: [Int]
    }

    typealias ParseError = CSVTable.ParseError

    static func parse(_ text: String) throws -> Parsed {
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
        return Parsed(
            header: first.1.map { $0.trimmingSpaces() },
            rows: records.dropFirst().map { Row(line: $0.0, fields: $0.1) },
            fileLines: records.dropFirst().map(\.2)
        )
    }
}
