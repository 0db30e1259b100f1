import Foundation
import LiushouPlatform
import Testing

@testable import LiushouGrid

/// A retried upload is recognised by its content hash, stored with the check: the hash written by
/// hand must stay the digest of `JSONEncoder`'s sorted-keys text, or retries of checks stored before
/// would be answered conflict.
@Suite("Door checks: the content hash written by hand")
struct DoorCheckContentHashTests {
    /// Every ASCII character (controls, quotes, slash, backslash), Chinese, emoji and combining marks.
    static let notes: [String?] =
        [nil, "", "门口遇见奶奶，身体好", "🙂👵🏽 e\u{301}", "a/b \"c\" \\d", "\u{7f}\u{85}\u{2028}\u{2029}"]
        + (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    @Test("equals ContentHash of the input for every field filled or left out, odd text, odd numbers, fractional seconds")
    func sameAsEncoder() {
        // A field added to the input must be added to the hand-written hash too.
        let bare = DoorCheckInput(id: UUID(), personId: nil, occurredAt: Date(), channel: .phone, kind: .gridKnock, outcome: .away)
        #expect(Mirror(reflecting: bare).children.count == 11)
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
        for _ in 0..<2_000 {
            inputs.append(
                DoorCheckInput(
                    id: UUID(),
                    personId: UUID(),
                    occurredAt: Date(timeIntervalSince1970: Double.random(in: 1_700_000_000...1_900_000_000)),
                    channel: .inPerson,
                    kind: .cadreVisit,
                    outcome: .needsFollowUp,
                    needs: [.health],
                    notes: String((0..<8).map { _ in Character(Unicode.Scalar(UInt32.random(in: 0x20...0x2FFF)) ?? "?") }),
                    latitude: Double.random(in: -90...90),
                    longitude: Double.random(in: -180...180)
                )
            )
        }
        for input in inputs {
            #expect(DoorCheckRecorder.contentHash(input) == ContentHash.hex(of: input), "\(input)")
        }
    }
}
