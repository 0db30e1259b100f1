import Foundation
import LiushouAPITestSupport
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import Testing

@testable import LiushouHealth

/// A clinic's batch is read by hand (`JSONByteReader`) when it is plain, and by `JSONDecoder` with the
/// body check otherwise: wherever the reader answers it must answer what `JSONDecoder` reads.
@Suite("Checkups: a batch read by hand is what JSONDecoder reads")
struct CheckupReadingTests {
    typealias Agreement = ByteReaderAgreement

    static func same(_ mine: CheckupInput, _ theirs: CheckupInput) -> Bool {
        // `==` on strings ignores how a character is composed; the reader must keep the very bytes.
        mine == theirs && (mine.measurements ?? []).map(\.value.bitPattern) == (theirs.measurements ?? []).map(\.value.bitPattern)
            && [mine.recordId, mine.clinician, mine.findings ?? "", mine.idNumber ?? ""].joined(separator: "\u{0}").utf8
                .elementsEqual([theirs.recordId, theirs.clinician, theirs.findings ?? "", theirs.idNumber ?? ""].joined(separator: "\u{0}").utf8)
            && (mine.diagnoses ?? []).joined(separator: "\u{0}").utf8.elementsEqual((theirs.diagnoses ?? []).joined(separator: "\u{0}").utf8)
    }

    static func body(_ items: [String]) -> [UInt8] {
        Array(("{\"items\": [" + items.joined(separator: ", ") + "]}").utf8)
    }

    static let plain = #"""
        {"recordId": "HIS-1", "idNumber": "34112219500101123X", "checkedOn": "2026-11-30", "kind": "free_clinic", "followUpNeeded": false,
         "clinician": "王医生", "diagnoses": ["高血压"], "measurements": [{"name": "systolic", "value": 142, "unit": "mmHg"},
         {"name": "glucose", "value": 6.1, "unit": "mmol/L"}]}
        """#

    /// `plain` with `field`'s value replaced by `value` (the field added when it is absent).
    static func with(_ field: String, _ value: String) -> String {
        if let range = Self.plain.range(of: "\"\(field)\": ") {
            var rest = Self.plain[range.upperBound...]
            var depth = 0
            var inString = false
            var end = rest.startIndex
            for index in rest.indices {
                let character = rest[index]
                if inString {
                    if character == "\"" { inString = false }
                } else if character == "\"" {
                    inString = true
                } else if character == "[" || character == "{" {
                    depth += 1
                } else if character == "]" || character == "}" {
                    if depth == 0 {
                        end = index
                        break
                    }
                    depth -= 1
                } else if character == ",", depth == 0 {
                    end = index
                    break
                }
                end = rest.index(after: index)
            }
            rest = rest[end...]
            return String(Self.plain[..<range.upperBound]) + value + rest
        }
        return "{\"\(field)\": \(value), " + Self.plain.dropFirst()
    }

    @Test("bodies as clinics send them are read by hand, to exactly what JSONDecoder reads")
    func readByHand() throws {
        let bodies: [[UInt8]] = [
            Self.body([Self.plain]),
            // Python's json.dumps: every character beyond ASCII escaped.
            Self.body([Self.with("clinician", #""\u738b\u533b\u751f""#), Self.with("diagnoses", #"["\u9ad8\u8840\u538b", "a\/b"]"#)]),
            Self.body([Self.plain.filter { $0 != " " && $0 != "\n" }]),
            Array("\n{\t\"items\"\r\n:\n[ \(Self.plain.replacingOccurrences(of: ": ", with: " :\n\t"))\n,\(Self.plain) ] }\n ".utf8),
            Self.body([
                Self.with("personId", "null"), Self.with("idNumber", "null"), Self.with("clinicId", "null"), Self.with("measurements", "null"),
                Self.with("diagnoses", "null"), Self.with("findings", "null"), Self.with("measurements", "[]"), Self.with("diagnoses", "[]"),
            ]),
            Self.body([
                Self.with("personId", #""5f0b2c1e-8a4d-4b7e-9c3a-1d2e3f405162""#),
                Self.with("clinicId", #""0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9""#),
            ]),
            Self.body(
                [
                    "-0", "0", "1e2", "1E-2", "-3.25e+1", "12345678901234567890", "0.1", "4.50", "-999999999999999", "1000000000000000",
                    "5e-324", "0.000", "-0.000", "0.0",
                ].map {
                    Self.with("measurements", #"[{"name": "n", "value": \#($0), "unit": "u"}]"#)
                }
            ),
            Self.body([Self.with("findings", #""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude42 🙂 𠀀 \u4e2d""#)]),
            Self.body([]),
            Self.body([Self.with("kind", #""elder_annual""#), Self.with("followUpNeeded", "true"), Self.with("checkedOn", #""1900-01-01""#)]),
        ]
        for body in bodies {
            let text = String(decoding: body, as: UTF8.self)
            #expect(Agreement.read(BatchBody<CheckupInput>.self, body) != nil, "given up: \(text)")
            #expect(Agreement.disagreement(body, as: CheckupInput.self, same: Self.same) == nil, "\(text)")
        }
        let zero = try #require(
            Agreement.read(BatchBody<CheckupInput>.self, Self.body([Self.with("measurements", #"[{"name": "n", "value": -0, "unit": "u"}]"#)]))
        )
        #expect(zero.items.first?.input?.measurements?.first?.value.sign == .minus)
    }

    @Test("anything else is given up on, for JSONDecoder and the body check to answer")
    func leftToDecoder() {
        let items: [String] = [
            Self.with("extra", "1"),
            Self.with("recordId", #""a", "recordId": "b""#),
            Self.with("findings", #""a\u0000b""#),
            Self.with("findings", #""a\ud800""#),
            Self.with("findings", #""a\udc00b""#),
            Self.with("findings", #""a\ud800\u0041""#),
            Self.with("findings", #""a\xb""#),
            Self.with("findings", "\"a\tb\""),
            Self.with("followUpNeeded", #""yes""#),
            Self.with("measurements", #"[{"name": "n", "value": "120", "unit": "u"}]"#),
            Self.with("recordId", "5"),
            Self.with("clinician", "null"),
            Self.plain.replacingOccurrences(of: #""kind": "free_clinic", "#, with: ""),
            Self.with("measurements", #"[{"name": "n", "value": 012, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": 1., "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": .5, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": +1, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": 1e400, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": NaN, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": 1e-400, "unit": "u"}]"#),
            // Zero with an exponent: JSONDecoder takes `-0e5` and refuses `0e5` and `-0.0e5`.
            Self.with("measurements", #"[{"name": "n", "value": 0e5, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": -0e5, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": -0.0e5, "unit": "u"}]"#),
            Self.with("measurements", #"[{"name": "n", "value": -2.4703282292062327e-324, "unit": "u"}]"#),
            Self.with("measurements", "[{\"name\": \"n\", \"value\": 0.\(String(repeating: "0", count: 400))1, \"unit\": \"u\"}]"),
            Self.with("measurements", #"[{"name": "n", "value": 1, "unit": "u", "name": "m"}]"#),
            Self.with("checkedOn", #""2026-13-01""#),
            Self.with("checkedOn", #""1800-01-01""#),
            Self.with("kind", #""FREE_CLINIC""#),
            Self.with("personId", #""not-a-uuid""#),
            Self.with("personId", #""{5f0b2c1e-8a4d-4b7e-9c3a-1d2e3f405162}""#),
            Self.with("record\\u0049d", #""x""#),
            Self.with("diagnoses", #""高血压""#),
        ]
        var bodies = items.map { Self.body([$0]) }
        bodies += [
            Self.body([Self.plain]) + Array(" x".utf8),
            Array("[\(Self.plain)]".utf8),
            [0xEF, 0xBB, 0xBF] + Self.body([Self.plain]),
            [],
            Array(#"{"items": null}"#.utf8),
            Array(#"{"items": [], "more": 1}"#.utf8),
            Array(#"{"items": [], "items": []}"#.utf8),
            Array(Self.body([Self.plain]).dropLast()),
        ]
        // Invalid UTF-8 in a string: a lone continuation byte, a cut-off sequence, an encoded surrogate.
        for broken: [UInt8] in [[0x80], [0xC3], [0xED, 0xA0, 0x80]] {
            let findings = Array(Self.with("findings", #""a#REST""#).utf8)
            let marker = Array("#REST".utf8)
            let at = findings.indices.first { findings[$0...].starts(with: marker) }!
            var body: [UInt8] = Array(Self.body([]).dropLast(2))
            body += findings[..<at]
            body += broken
            body += findings[(at + marker.count)...]
            body += Array("]}".utf8)
            bodies.append(body)
        }
        for body in bodies {
            #expect(Agreement.read(BatchBody<CheckupInput>.self, body) == nil, "read by hand: \(String(decoding: body, as: UTF8.self))")
        }
    }

    @Test("random bodies, and each changed by one byte: the reader answers only where JSONDecoder agrees")
    func randomBodies() {
        var random = SplitMix64(seed: 20_261_206)
        var readAfterChange = 0
        for _ in 0..<300 {
            let body = Self.body((0..<Int.random(in: 1...3, using: &random)).map { _ in Self.randomItem(using: &random) })
            let text = String(decoding: body, as: UTF8.self)
            #expect(Agreement.read(BatchBody<CheckupInput>.self, body) != nil, "given up: \(text)")
            if let problem = Agreement.disagreement(body, as: CheckupInput.self, same: Self.same) { Issue.record("\(problem): \(text)") }
            for _ in 0..<20 {
                let changed = Agreement.mutated(body, using: &random)
                if let problem = Agreement.disagreement(changed, as: CheckupInput.self, same: Self.same) {
                    Issue.record("\(problem): \(String(decoding: changed, as: UTF8.self))")
                }
                if Agreement.read(BatchBody<CheckupInput>.self, changed) != nil { readAfterChange += 1 }
            }
        }
        // Changes that keep a body plain (a digit for a digit, a space more) are still read by hand.
        #expect(readAfterChange > 300)
    }

    @Test("the batch's answer written by hand is what JSONEncoder writes for JSONResponse")
    func answerByHand() throws {
        var report = CheckupController.Report(created: 1, duplicate: 2, conflict: 3, rejected: 4)
        report.results = [
            .init(index: 0, recordId: "HIS/1 \"引号\"", id: UUID(), status: "created", errors: nil),
            .init(index: 1, recordId: nil, id: nil, status: "rejected", errors: [.init(field: "items[1]", message: "无法读取\n\u{1}/")]),
            .init(index: 2, recordId: "R-2", id: nil, status: "rejected", errors: []),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: report.json.utf8, as: UTF8.self) == String(decoding: try encoder.encode(report), as: UTF8.self))
    }

    static func randomItem(using random: inout SplitMix64) -> String {
        func space() -> String { ["", " ", "\n  ", "\t"].randomElement(using: &random)! }
        func text() -> String {
            let pieces = ["王", "医生", "高血压", "a", "Z", "9", " ", "/", #"\""#, #"\\"#, #"\n"#, #"\u4e2d"#, #"\ud83d\ude42"#, "🙂", "-", "。"]
            return "\"" + (0..<Int.random(in: 1...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
        }
        func number() -> String {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return String(Int.random(in: -1000...1000, using: &random))
            case 1: return String(format: "%.2f", Double.random(in: -50...300, using: &random))
            case 2:
                return "\(Int.random(in: 1...9, using: &random)).\(Int.random(in: 0...99, using: &random))e\(Int.random(in: -5...5, using: &random))"
            default: return String(UInt64.random(in: 0...UInt64.max, using: &random))
            }
        }
        func optional(_ value: String) -> String? {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return nil
            case 1: return "null"
            default: return value
            }
        }
        let year = Int.random(in: 1900...2100, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...28, using: &random)
        let uuid = Bool.random(using: &random) ? UUID().uuidString : UUID().uuidString.lowercased()
        let measurements = (0..<Int.random(in: 0...3, using: &random)).map { _ in
            "{\(space())\"name\":\(space())\(text()),\"value\":\(space())\(number()),\(space())\"unit\":\(text())}"
        }
        var fields: [(String, String?)] = [
            ("recordId", text()),
            ("personId", optional("\"\(uuid)\"")),
            ("idNumber", optional(text())),
            ("clinicId", optional("\"\(UUID().uuidString)\"")),
            ("checkedOn", String(format: "\"%04d-%02d-%02d\"", year, month, day)),
            ("kind", "\"\(CheckupKind.allCases.randomElement(using: &random)!.rawValue)\""),
            ("measurements", optional("[\(measurements.joined(separator: ",\(space())"))]")),
            ("diagnoses", optional("[\((0..<Int.random(in: 0...2, using: &random)).map { _ in text() }.joined(separator: ","))]")),
            ("findings", optional(text())),
            ("followUpNeeded", Bool.random(using: &random) ? "true" : "false"),
            ("clinician", text()),
        ]
        fields.shuffle(using: &random)
        let members = fields.compactMap { key, value in value.map { "\(space())\"\(key)\"\(space()):\(space())\($0)" } }
        return "{" + members.joined(separator: ",") + space() + "}"
    }
}
