import Foundation
import LiushouAPITestSupport
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import Testing

@testable import LiushouRegistry

@Suite("Registry rules: CSV, encodings, sealing, diffs, validation")
struct RegistryRulesTests {
    @Test("CSV: quoted commas, doubled quotes, line breaks inside quotes, CRLF and LF, blank lines")
    func csv() throws {
        let table = try CSVTable(parsing: "姓名,住址\r\n\"王,五\",\"说\"\"好\"\"\"\r\n\r\n李四,\"一行\n二行\"\n赵六,")
        #expect(table.header == ["姓名", "住址"])
        #expect(table.rows.map(\.fields) == [["王,五", "说\"好\""], ["李四", "一行\n二行"], ["赵六", ""]])
        // Rows as a spreadsheet numbers them: the line break inside 李四's address stays in row 4.
        #expect(table.rows.map(\.line) == [2, 4, 5])
        let cleared = try CSVTable(parsing: "姓名,住址\r\n王五,甲村\r\n,\r\n , \r\n")
        #expect(cleared.rows.map(\.fields) == [["王五", "甲村"]])
        #expect(throws: CSVTable.ParseError.unterminatedQuote(line: 2)) { try CSVTable(parsing: "a\n\"open") }
        #expect(throws: CSVTable.ParseError.empty) { try CSVTable(parsing: "") }
    }

    @Test("CSV cells that a spreadsheet would evaluate are prefixed; others are quoted only when needed")
    func formulaSafety() {
        #expect(CSVWriter.cell("=1+1") == "'=1+1")
        #expect(CSVWriter.cell("+86 138") == "'+86 138")
        #expect(CSVWriter.cell("-2") == "'-2")
        #expect(CSVWriter.cell("@cmd") == "'@cmd")
        #expect(CSVWriter.cell("\tx") == "'\tx")
        #expect(CSVWriter.cell("a,b") == "\"a,b\"")
        #expect(CSVWriter.cell("0564-4552466") == "0564-4552466")
        #expect(CSVWriter.cell("王小明") == "王小明")
        #expect(CSVWriter.cell("说\"好\"") == "\"说\"\"好\"\"\"")
        // CRLF is one Character, as are a comma or a quote followed by a combining mark: quoted all the same.
        #expect(CSVWriter.cell("一行\r\n二行") == "\"一行\r\n二行\"")
        #expect(CSVWriter.cell("a,\u{301}b") == "\"a,\u{301}b\"")
        #expect(CSVWriter.cell("\"\u{301}x") == "\"\"\"\u{301}x\"")
        let table = try? CSVTable(parsing: ["a,\u{301}b", "一行\r\n二行", "\"\u{301}x"].map(CSVWriter.cell).joined(separator: ",") + "\r\n")
        #expect(table?.header == ["a,\u{301}b", "一行\r\n二行", "\"\u{301}x"])
    }

    @Test("GBK bytes and UTF-8 with or without BOM decode to the same text")
    func encodings() throws {
        let text = "姓名,人员类别\r\n欧阳娜,留守儿童\r\n"
        let gbk = try TextDecoding.encodeGB18030(text)
        #expect(gbk.count < Data(text.utf8).count, "two bytes per Han character")
        #expect(try TextDecoding.decode(gbk).text == text)
        #expect(try TextDecoding.decode(gbk).encoding == .gbk)
        #expect(try TextDecoding.decode(Data([0xEF, 0xBB, 0xBF]) + Data(text.utf8)) == (text, .utf8))
        #expect(try TextDecoding.decode(Data(text.utf8)).encoding == .utf8)
    }

    @Test("ID numbers are sealed with AES-GCM: round trip, tampering detected, keyed digests stable per key")
    func vault() throws {
        let vault = try IdentifierVault(secret: String(repeating: "k", count: 40))
        let sealed = try vault.seal("11010519491231002X")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("1101051949"))
        #expect(try vault.open(sealed) == "11010519491231002X")
        #expect(try vault.seal("11010519491231002X") != sealed, "a fresh nonce each time")
        var tampered = sealed
        tampered[tampered.count - 1] ^= 0x01
        #expect(throws: IdentifierVault.VaultError.corrupt) { try vault.open(tampered) }
        #expect(vault.digest("11010519491231002X") == vault.digest("11010519491231002X"))
        let other = try IdentifierVault(secret: String(repeating: "j", count: 40))
        #expect(other.digest("11010519491231002X") != vault.digest("11010519491231002X"))
        #expect(throws: IdentifierVault.VaultError.unknownKey(vault.keyID)) { try other.open(sealed) }
        #expect(throws: IdentifierVault.VaultError.secretTooShort) { try IdentifierVault(secret: "short") }
        #expect(try vault.openText(try vault.sealText("13800138000")) == "13800138000")
    }

    @Test("field diffs name nested paths with old and new text")
    func diffs() {
        struct Sample: Encodable {
            var name: String
            var boarding: Bool?
            var members: [String]
        }
        let old = FileDiff.flatten(Sample(name: "甲", boarding: true, members: ["父"]))
        let new = FileDiff.flatten(Sample(name: "乙", boarding: nil, members: ["父", "母"]))
        #expect(
            FileDiff.changes(from: old, to: new) == [
                .init(field: "boarding", oldValue: "true", newValue: nil),
                .init(field: "members[1]", oldValue: nil, newValue: "母"),
                .init(field: "name", oldValue: "甲", newValue: "乙"),
            ]
        )
    }

    @Test("flattening reads the same leaves as writing the JSON and parsing it back: files, numbers, dates, data, nesting")
    func flattenAsJSON() throws {
        struct Odd: Encodable {
            var double = 37.0
            var fraction = 36.6
            var tiny = 1e-7
            var float: Float = 0.1
            var small: Int8 = -3
            var huge = UInt64.max
            var decimal = Decimal(string: "12.50")!
            var date = Date(timeIntervalSinceReferenceDate: 12.5)
            var data = Data([0, 1, 254])
            var url = URL(string: "https://example.cn/a?b=1")!
            var nothing: String? = nil
            var empty: [String] = []
            var emptyObject: [String: Int] = [:]
            var nested: [[String: [Int?]]] = [["a.b": [1, nil, 3]], [:]]
            var byNumber: [Int: String] = [2: "二", 10: "十"]
            var text = "引号\"、反斜杠\\、换行\n、表情😀"
            var flag = false
            var flags = [true, false]
            var on: Bool? = true
        }
        let unit = try JSONDecoder().decode(
            OrgUnit.self,
            from: Data(
                #"{"id":"6F1C2B1E-0D8C-4A59-9C55-1F0E4D7B2A10","kind":"village","name":"甲村","path":"u1","active":true,"version":1,"createdAt":0,"updatedAt":0}"#
                    .utf8
            )
        )
        var files = try [
            People.child(village: unit, school: unit), People.elder(village: unit),
        ].map { try JSONDecoder().decode(PersonFile.self, from: JSONSerialization.data(withJSONObject: $0)) }
        files[1].riskLevel = .high
        files[1].phone = "13900000001"
        for file in files {
            #expect(!FileDiff.flatten(file).isEmpty)
            #expect(FileDiff.flatten(file) == FileDiff.flattenThroughJSON(file))
        }
        let odd = FileDiff.flatten(Odd())
        #expect(odd == FileDiff.flattenThroughJSON(Odd()))
        #expect(odd["nested[0].a.b[2]"] == "3" && odd["nested[0].a.b[1]"] == nil && odd["byNumber.10"] == "十")
        // A value JSON cannot hold fails the whole value, as it fails JSON; a top-level date is a number.
        #expect(FileDiff.flatten([Double.nan]).isEmpty && FileDiff.flattenThroughJSON([Double.nan]).isEmpty)
        #expect(FileDiff.flatten(Date(timeIntervalSinceReferenceDate: 3)) == FileDiff.flattenThroughJSON(Date(timeIntervalSinceReferenceDate: 3)))
        #expect(odd["empty"] == nil && odd["nothing"] == nil && odd["flag"] == "false" && odd["on"] == "true" && odd["flags[0]"] == "true")
    }

    @Test("name grams find any substring of a Chinese name")
    func grams() {
        #expect(NameGrams.index("欧阳明月") == ["明", "明月", "月", "欧", "欧阳", "阳", "阳明"])
        #expect(NameGrams.query("阳明") == ["阳明"])
        #expect(NameGrams.query("欧阳明") == ["欧阳", "阳明"])
        #expect(NameGrams.query("明") == ["明"])
        #expect(Set(NameGrams.query("欧阳明")).isSubset(of: Set(NameGrams.index("欧阳明月"))))
    }

    @Test("category ages, woman's sex and future dates are checked; completeness and the guardian alert follow the file")
    func validation() throws {
        let validator = PersonValidator(today: LocalDate(year: 2026, month: 11, day: 29)!)
        let village = UUID()
        func file(_ category: PersonCategory, born: String, sequence: Int) -> PersonFile {
            let body = "341122" + born.replacingOccurrences(of: "-", with: "") + String(format: "%03d", sequence)
            return PersonFile(
                name: "测试",
                idNumber: body + String(ResidentIDNumber.checkCharacter(for: body)!),
                villageId: village,
                categories: [CategoryPeriod(category: category, startedOn: LocalDate(year: 2024, month: 1, day: 1)!)]
            )
        }
        func fields(_ result: Result<PersonFile, ValidationFailure>) -> [String] {
            if case .failure(let failure) = result { return failure.errors.map(\.field) }
            return []
        }
        #expect(fields(validator.validate(file(.leftBehindElder, born: "1970-01-01", sequence: 11))) == ["categories"])
        #expect(fields(validator.validate(file(.leftBehindChild, born: "2000-01-01", sequence: 11))) == ["categories"])
        #expect(fields(validator.validate(file(.leftBehindWoman, born: "1990-01-01", sequence: 11))) == ["categories"], "odd sequence: male")
        #expect(fields(validator.validate(file(.leftBehindWoman, born: "1990-01-01", sequence: 12))) == [])
        #expect(fields(validator.validate(file(.leftBehindChild, born: "2027-01-01", sequence: 12))).contains("birthDate"))
        var child = try validator.validate(file(.leftBehindChild, born: "2016-01-01", sequence: 12)).get()
        #expect(FileCompleteness.noCapableGuardian(child), "no guardian recorded")
        #expect(FileCompleteness.missingFields(child).contains("child.guardian"))
        child.child = PersonFile.Child(
            guardianshipType: .good,
            guardianshipAssessment: .good,
            guardian: .init(name: "祖母", phone: "13800138000", relationship: "祖母")
        )
        #expect(!FileCompleteness.noCapableGuardian(child))
        child.child?.guardianshipAssessment = .poor
        #expect(FileCompleteness.noCapableGuardian(child), "assessed 差")
    }
}
