import Foundation
import LiushouAPITestSupport
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import Testing

@testable import LiushouGrid

/// An offline batch (and a single check) is read by hand (`JSONByteReader`) when it is plain, and by
/// `JSONDecoder` with the body check otherwise: wherever the reader answers it must answer what
/// `JSONDecoder` reads.
@Suite("Door checks: a batch read by hand is what JSONDecoder reads")
struct DoorCheckReadingTests {
    typealias Agreement = ByteReaderAgreement

    static func same(_ mine: DoorCheckInput, _ theirs: DoorCheckInput) -> Bool {
        mine == theirs && mine.latitude?.bitPattern == theirs.latitude?.bitPattern && mine.longitude?.bitPattern == theirs.longitude?.bitPattern
            && (mine.notes ?? "").utf8.elementsEqual((theirs.notes ?? "").utf8)
    }

    static func body(_ items: [String]) -> [UInt8] {
        Array(("{\"items\":[" + items.joined(separator: ",") + "]}").utf8)
    }

    /// A check as the field app sends it, with `extra` members first.
    static func item(_ extra: String = "", id: String = "\"0190F3A2-7B4C-7D2E-8F10-2A3B4C5D6E7F\"") -> String {
        #"{\#(extra)"id":\#(id),"personId":"5f0b2c1e-8a4d-4b7e-9c3a-1d2e3f405162","occurredAt":"2026-12-06T09:30:00.123+08:00","#
            + #""channel":"in_person","kind":"grid_knock","outcome":"needs_follow_up","needs":["health","daily_life"],"notes":"老人腿疼"}"#
    }

    @Test("checks as the field app sends them are read by hand, to exactly what JSONDecoder reads")
    func readByHand() throws {
        let bodies: [[UInt8]] = [
            Self.body([Self.item()]),
            Self.body([
                Self.item(#""householdId":null,"latitude":31.2304,"longitude":-0,"#),
                Self.item()
                    .replacingOccurrences(of: #""needs":["health","daily_life"],"notes":"老人腿疼""#, with: #""needs":null,"notes":null"#)
                    .replacingOccurrences(of: #""5f0b2c1e-8a4d-4b7e-9c3a-1d2e3f405162""#, with: "null"),
            ]),
            Self.body([Self.item(#""latitude":1e1,"longitude":121.47370000000001,"householdId":"0A1B2C3D-4E5F-4061-8293-A4B5C6D7E8F9","#)]),
            Self.body([Self.item().replacingOccurrences(of: "2026-12-06T09:30:00.123+08:00", with: "2026-12-06T01:30:00Z")]),
            Self.body([Self.item().replacingOccurrences(of: "老人腿疼", with: #"\u8001\u4eba \"\u817f\u75bc\" \ud83d\ude42"#)]),
            Array(" { \"items\" : [ \(Self.item()) ] } ".utf8),
            Self.body([]),
        ]
        for body in bodies {
            let text = String(decoding: body, as: UTF8.self)
            #expect(Agreement.read(BatchBody<DoorCheckInput>.self, body) != nil, "given up: \(text)")
            #expect(Agreement.disagreement(body, as: DoorCheckInput.self, same: Self.same) == nil, "\(text)")
        }
        // A single check is its own body.
        let single = Array(Self.item().utf8)
        let read = try #require(Agreement.read(DoorCheckInput.self, single))
        #expect(read == Agreement.decoded(DoorCheckInput.self, single))
    }

    @Test("anything else is given up on, for JSONDecoder and the body check to answer")
    func leftToDecoder() {
        let items: [String] = [
            Self.item(#""extra":1,"#),
            Self.item(#""id":"0190F3A2-7B4C-7D2E-8F10-2A3B4C5D6E70","#),
            Self.item(id: "\"0190F3A2-7B4C-7D2E-8F10-2A3B4C5D6E7\""),
            Self.item(id: "null"),
            Self.item().replacingOccurrences(of: "needs_follow_up", with: "fine"),
            Self.item().replacingOccurrences(of: #"["health","daily_life"]"#, with: #"["health","flying"]"#),
            Self.item().replacingOccurrences(of: #"["health","daily_life"]"#, with: #""health""#),
            Self.item(#""latitude":"31.2","#),
            Self.item().replacingOccurrences(of: "老人腿疼", with: #"a\u0000b"#),
            Self.item().replacingOccurrences(of: "2026-12-06T09:30:00.123+08:00", with: "2026-12-06 09:30:00"),
            Self.item().replacingOccurrences(of: "2026-12-06T09:30:00.123+08:00", with: "0001-01-01T00:00:00Z"),
            Self.item().replacingOccurrences(of: #""kind":"grid_knock","#, with: ""),
        ]
        for body in items.map({ Self.body([$0]) }) + [Array(Self.item(#""id":"x","#).utf8)] {
            #expect(Agreement.read(BatchBody<DoorCheckInput>.self, body) == nil, "read by hand: \(String(decoding: body, as: UTF8.self))")
        }
    }

    @Test("a batch changed by one byte, many ways: the reader answers only where JSONDecoder agrees")
    func changedBodies() {
        var random = SplitMix64(seed: 61_206)
        let body = Self.body([Self.item(#""latitude":31.2304,"longitude":121.4737,"#), Self.item(#""householdId":null,"#)])
        var readAfterChange = 0
        for _ in 0..<3000 {
            let changed = Agreement.mutated(body, using: &random)
            if let problem = Agreement.disagreement(changed, as: DoorCheckInput.self, same: Self.same) {
                Issue.record("\(problem): \(String(decoding: changed, as: UTF8.self))")
            }
            if Agreement.read(BatchBody<DoorCheckInput>.self, changed) != nil { readAfterChange += 1 }
        }
        #expect(readAfterChange > 100)
    }
}
