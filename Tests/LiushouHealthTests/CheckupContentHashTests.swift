import Foundation
import LiushouPlatform
import LiushouPostgres
import Testing

@testable import LiushouHealth

typealias Reading = LiushouHealth.Measurement

/// A clinic's re-upload is recognised by the content hash stored with each checkup: the hash written
/// by hand must stay the digest of `JSONEncoder`'s sorted-keys text of the content, or re-uploads of
/// rows stored before would be answered conflict.
@Suite("Checkups: the content hash and the batch JSON written by hand")
struct CheckupContentHashTests {
    static let person = UUID(uuidString: "5F0B2C1E-8A4D-4B7E-9C3A-1D2E3F405162")!
    static let clinic = UUID(uuidString: "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9")!

    static func content(
        recordId: String = "HIS-0000001",
        checkedOn: LocalDate = LocalDate(year: 2026, month: 11, day: 30)!,
        kind: CheckupKind = .freeClinic,
        measurements: [Reading] = [],
        diagnoses: [String] = [],
        findings: String? = nil,
        followUpNeeded: Bool = false,
        clinician: String = "王医生"
    ) -> CheckupRules.Content {
        CheckupRules.Content(
            personId: Self.person,
            clinicId: Self.clinic,
            recordId: recordId,
            checkedOn: checkedOn,
            kind: kind,
            measurements: measurements,
            diagnoses: diagnoses,
            findings: findings,
            followUpNeeded: followUpNeeded,
            clinician: clinician
        )
    }

    /// Digests of checkups as stored before the hash was written by hand (computed with
    /// `JSONEncoder` on 2026-12-06): what a re-upload of those rows must still hash to.
    @Test("checkups as stored before keep their digests: slash, quotes, control characters, emoji, fractions, no measurements")
    func writtenDownDigests() {
        let rows: [(CheckupRules.Content, String)] = [
            (
                Self.content(
                    measurements: [
                        Reading(name: "diastolic", value: 85, unit: "mmHg"),
                        Reading(name: "glucose", value: 6.1, unit: "mmol/L"),
                        Reading(name: "systolic", value: 142, unit: "mmHg"),
                    ],
                    diagnoses: ["高血压", "a/b \"c\""],
                    findings: "血压偏高\n建议复查\u{1}🙂",
                    followUpNeeded: true
                ), "7938bd0ffc36693f115581745c77ebf79a90b2c9b7bc8242d88eff2ee497d7db"
            ),
            (
                Self.content(recordId: "R/2", checkedOn: LocalDate(year: 1950, month: 1, day: 1)!, kind: .elderAnnual),
                "91e5ae3fde4d389c26c1854b1be728ed52d100d086f24dba251179178dc21f2e"
            ),
            (
                Self.content(
                    kind: .womenScreening,
                    measurements: [Reading(name: "weight", value: 0.1 + 0.2, unit: "kg")],
                    findings: "",
                    clinician: "Dr. \t"
                ), "edfa4798190ffc4a3f09327ccbf03e76f38e5486a3e97ce21b45643d0215e72d"
            ),
        ]
        for (content, digest) in rows {
            #expect(ContentHash.hex(of: content) == digest, "JSONEncoder")
            #expect(CheckupRecorder.contentHash(content) == digest, "by hand")
        }
    }

    /// Every ASCII character, Chinese, emoji and combining marks.
    static let texts: [String] =
        ["", "门诊", "🙂👵🏽 e\u{301}", "a/b \"c\" \\d", "\u{7f}\u{85}\u{2028}\u{2029}"] + (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    @Test("equals ContentHash of the content for odd text, odd numbers, every kind and measurements in any number")
    func sameAsEncoder() {
        // A field added to the content must be added to the hand-written hash too, and one added
        // to the item to the batch JSON.
        #expect(Mirror(reflecting: Self.content()).children.count == 10)
        #expect(Mirror(reflecting: CheckupRecorder.Item(id: UUID(), content: Self.content(), accountName: "", summary: "")).children.count == 4)
        let numbers: [Double] = [0, -0.0, 30, 120, 36.6, 6.1, 1e-7, -1.2345e-5, 0.1 + 0.2, 5e-324, 1e21]
        var contents: [CheckupRules.Content] = []
        for (index, text) in Self.texts.enumerated() {
            contents.append(
                Self.content(
                    recordId: "R\(text)",
                    checkedOn: LocalDate(daysSince1970: index * 97 - 20_000),
                    kind: CheckupKind.allCases[index % CheckupKind.allCases.count],
                    measurements: (0..<(index % 4)).map {
                        Reading(name: "m\($0)\(text)", value: numbers[(index + $0) % numbers.count], unit: text)
                    },
                    diagnoses: index % 3 == 0 ? [] : [text, "糖尿病"],
                    findings: index % 2 == 0 ? nil : text,
                    followUpNeeded: index % 2 == 0,
                    clinician: "医生\(text)"
                )
            )
        }
        var random = SplitMix64(seed: 20_261_206)
        for _ in 0..<2_000 {
            let text = String((0..<6).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x20...0x1FFFF, using: &random)) ?? "?") })
            contents.append(
                Self.content(
                    recordId: text,
                    checkedOn: LocalDate(daysSince1970: Int.random(in: -25_567...47_482, using: &random)),
                    measurements: [
                        Reading(name: "glucose", value: Double.random(in: 1...30, using: &random), unit: "mmol/L"),
                        Reading(name: text, value: Double.random(in: -1e6...1e6, using: &random), unit: text),
                    ],
                    diagnoses: [text],
                    findings: text,
                    followUpNeeded: Bool.random(using: &random),
                    clinician: text
                )
            )
        }
        for content in contents {
            #expect(CheckupRecorder.contentHash(content) == ContentHash.hex(of: content), "\(content)")
        }
    }

    @Test("the batch JSON holds each row's fields as checkup_input names them, measurements keyed by name")
    func batchJSON() throws {
        let items = [
            CheckupRecorder.Item(
                id: UUID(),
                content: Self.content(
                    measurements: [Reading(name: "diastolic", value: 85, unit: "mmHg"), Reading(name: "glucose", value: 6.1, unit: "mmol/L")],
                    diagnoses: ["高血压"],
                    findings: "复查 \"血压\"",
                    followUpNeeded: true
                ),
                accountName: "demo.clinic",
                summary: "义诊：2026-11-30，需要随访"
            ),
            CheckupRecorder.Item(id: UUID(), content: Self.content(recordId: "R2"), accountName: "a/b", summary: "\u{1}"),
        ]
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(CheckupRecorder.json(items).utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        for (row, item) in zip(parsed, items) {
            let content = item.content
            #expect(row["id"] as? String == item.id.uuidString)
            #expect(row["person_id"] as? String == content.personId.uuidString)
            #expect(row["clinic_id"] as? String == content.clinicId.uuidString)
            #expect(row["record_id"] as? String == content.recordId)
            #expect(row["checked_on"] as? String == content.checkedOn.description)
            #expect(row["kind"] as? String == content.kind.rawValue)
            #expect(row["diagnoses"] as? [String] == content.diagnoses)
            #expect(row["findings"] as? String == content.findings)
            #expect(row["follow_up_needed"] as? Bool == content.followUpNeeded)
            #expect(row["clinician"] as? String == content.clinician)
            #expect(row["content_hash"] as? String == ContentHash.hex(of: content))
            #expect(row["account_name"] as? String == item.accountName)
            #expect(row["summary"] as? String == item.summary)
            let measurements = try #require(row["measurements"] as? [String: [String: Any]])
            #expect(measurements.count == content.measurements.count)
            for measurement in content.measurements {
                #expect(measurements[measurement.name]?["value"] as? Double == measurement.value)
                #expect(measurements[measurement.name]?["unit"] as? String == measurement.unit)
            }
            #expect(row.count == (content.findings == nil ? 13 : 14))
        }
    }
}
