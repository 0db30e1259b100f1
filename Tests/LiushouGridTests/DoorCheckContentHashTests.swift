import Foundation
import LiushouPlatform
import Testing

@testable import LiushouGrid

/// A retried upload is recognised by its content hash, stored with the check: the hash written by
/// hand must stay the digest of `JSONEncoder`'s sorted-keys text, or retries of checks stored before
/// would be answered conflict.
@Suite("Door checks: the content hash written by hand")
struct DoorCheckContentHashTests {
    /// Digests of checks stored before the hash was written by hand (computed with `JSONEncoder` on
    /// 2026-12-05): what a retry of those checks must still hash to.
    @Test("checks as stored before keep their digests: slash, control characters, emoji, -0, a subnormal, fractional seconds")
    func writtenDownDigests() throws {
        let person = try #require(UUID(uuidString: "5F0B2C1E-8A4D-4B7E-9C3A-1D2E3F405162"))
        let household = try #require(UUID(uuidString: "0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9"))
        let checks: [(DoorCheckInput, String)] = [
            (
                DoorCheckInput(
                    id: try #require(UUID(uuidString: "C0FFEE00-1234-4ABC-8DEF-0123456789AB")),
                    personId: person,
                    occurredAt: Date(timeIntervalSince1970: 1_795_912_200.75),
                    channel: .inPerson,
                    kind: .cadreVisit,
                    outcome: .needsFollowUp,
                    needs: [.health, .study],
                    notes: "a/b \"奶奶\" \\ \u{1}\t🙂",
                    latitude: -0.0,
                    longitude: 5e-324
                ), "0a4edf3658312f86305d2e488d89e370772e7fbd0064b80b5abed52ab8a54913"
            ),
            (
                DoorCheckInput(
                    id: try #require(UUID(uuidString: "00000000-0000-4000-8000-000000000001")),
                    personId: nil,
                    householdId: household,
                    occurredAt: Date(timeIntervalSince1970: -86_400.25),
                    channel: .phone,
                    kind: .gridKnock,
                    outcome: .notHome,
                    needs: []
                ), "e833ef294a5051a8efabe5ddef90ace6aa9ae9e3b63358e87bfe6ad08b6acaad"
            ),
            (
                DoorCheckInput(
                    id: try #require(UUID(uuidString: "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF")),
                    personId: person,
                    occurredAt: Date(timeIntervalSince1970: 4_102_444_799.999),
                    channel: .video,
                    kind: .teacherHomeVisit,
                    outcome: .allWell,
                    latitude: 31.123456789012345,
                    longitude: 117
                ), "6de3f2bb78ff9d29a4180fc03e39ba1d2bcdd51030d2512bf2b3274a6173c5d9"
            ),
        ]
        for (check, digest) in checks {
            #expect(ContentHash.hex(of: check) == digest, "JSONEncoder")
            #expect(DoorCheckRecorder.contentHash(check) == digest, "by hand")
        }
    }

    /// Every ASCII character (controls, quotes, slash, backslash), Chinese, emoji and combining marks.
    static let notes: [String?] =
        [nil, "", "门口遇见奶奶，身体好", "🙂👵🏽 e\u{301}", "a/b \"c\" \\d", "\u{7f}\u{85}\u{2028}\u{2029}"]
        + (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    @Test("equals ContentHash of the input for every field filled or left out, odd text, odd numbers, fractional seconds")
    func sameAsEncoder() {
        // A field added to the input must be added to the hand-written hash too.
        let bare = DoorCheckInput(id: UUID(), personId: nil, occurredAt: Date(), channel: .phone, kind: .gridKnock, outcome: .away)
        #expect(Mirror(reflecting: bare).children.count == 11)
        // Likewise a field added to the SQL function's item must be written into its JSON.
        let item = DoorCheckRecorder.Item(
            id: UUID(),
            personId: nil,
            householdId: nil,
            unitId: UUID(),
            visitorAccountId: UUID(),
            visitorName: "",
            visitorRole: "",
            occurredAt: "",
            channel: "",
            kind: "",
            outcome: "",
            needs: [],
            notes: nil,
            latitude: nil,
            longitude: nil,
            contentHash: "",
            summary: ""
        )
        #expect(Mirror(reflecting: item).children.count == 17)
        let numbers: [Double?] = [nil, 0, -0.0, 30, -180, 90, 31.123456789012345, 1e-7, -1.2345e-5, 0.1 + 0.2, 5e-324]
        var inputs: [DoorCheckInput] = []
        for (index, note) in Self.notes.enumerated() {
            let kind = CheckKind.allCases[index % CheckKind.allCases.count]
            let outcome = CheckOutcome.allCases[index % CheckOutcome.allCases.count]
            let needs: [Need]? = index % 3 == 0 ? nil : Array(Need.allCases.prefix(index % 4))
            inputs.append(
                DoorCheckInput(
                    id: UUID(),
                    personId: index % 2 == 0 ? UUID() : nil,
                    householdId: index % 2 == 1 ? UUID() : nil,
                    occurredAt: Date(timeIntervalSince1970: 1_795_912_200 + Double(index) * 3_601.37),
                    channel: CheckChannel.allCases[index % CheckChannel.allCases.count],
                    kind: kind,
                    outcome: outcome,
                    needs: needs,
                    notes: note,
                    latitude: numbers[index % numbers.count],
                    longitude: numbers[(index * 7) % numbers.count]
                )
            )
        }
        var random = SplitMix64(seed: 20_261_205)
        for _ in 0..<2_000 {
            inputs.append(
                DoorCheckInput(
                    id: UUID(),
                    personId: UUID(),
                    occurredAt: Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...4_102_444_800, using: &random)),
                    channel: .inPerson,
                    kind: .cadreVisit,
                    outcome: .needsFollowUp,
                    needs: [.health],
                    notes: String((0..<8).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x20...0x1FFFF, using: &random)) ?? "?") }),
                    latitude: Double.random(in: -90...90, using: &random),
                    longitude: Double.random(in: -180...180, using: &random)
                )
            )
        }
        for input in inputs {
            #expect(DoorCheckRecorder.contentHash(input) == ContentHash.hex(of: input), "\(input)")
        }
    }
}
