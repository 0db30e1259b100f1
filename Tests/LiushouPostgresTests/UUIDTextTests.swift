import Foundation
import LiushouPostgres
import Testing

@Suite("UUID text: the canonical reader and writers")
struct UUIDTextTests {
    @Test("writes what uuidString writes (upper case) and its lower case; reads back both")
    func roundTrip() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.uppercasedText == id.uuidString)
            #expect(id.lowercasedText == id.uuidString.lowercased())
            var bytes: [UInt8] = []
            id.appendUppercased(to: &bytes)
            #expect(bytes == Array(id.uuidString.utf8))
            #expect(UUID(canonical: id.uuidString) == id)
            #expect(UUID(canonical: id.lowercasedText) == id)
        }
        let edges = [
            UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
            UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)),
        ]
        for id in edges {
            #expect(id.uppercasedText == id.uuidString)
            #expect(UUID(canonical: id.lowercasedText) == id)
        }
    }

    @Test("whatever it reads, Foundation reads as the same id; it refuses what Foundation misreads")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEFgx-+ \u{0}é")
        var read = 0
        for _ in 0..<20_000 {
            var characters = Array(UUID().uuidString.lowercased())
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: characters[Int.random(in: 0..<36, using: &generator)] = alphabet.randomElement(using: &generator)!
            case 1: characters.remove(at: Int.random(in: 0..<36, using: &generator))
            case 2: characters.insert(alphabet.randomElement(using: &generator)!, at: Int.random(in: 0...36, using: &generator))
            default: break
            }
            let text = String(characters)
            if let id = UUID(canonical: text) {
                read += 1
                #expect(UUID(uuidString: text) == id, "\(text.debugDescription)")
            }
        }
        #expect(read > 5_000)
        for text in [
            " 621e1f8-c36c-495a-93fc-0c247a3e6e5f", "+621e1f8-c36c-495a-93fc-0c247a3e6e5f", "0x21e1f8-c36c-495a-93fc-0c247a3e6e5f",
            "e621e1f8-c36c-495a-93fc- c247a3e6e5f",
        ] {
            #if os(Linux)
            // glibc's sscanf, under Foundation's reader here: why the server reads ids itself.
            #expect(UUID(uuidString: text) != nil, "Foundation reads \(text.debugDescription) as some id")
            #endif
            #expect(UUID(canonical: text) == nil, "refused: \(text.debugDescription)")
        }
        for text in [
            "", "e621e1f8c36c495a93fc0c247a3e6e5f", "e621e1f8-c36c-495a-93fc-0c247a3e6e5", "e621e1f8-c36c-495a-93fc-0c247a3e6e5fa",
            "{e621e1f8-c36c-495a-93fc-0c247a3e6e5f}", "e621e1f8_c36c-495a-93fc-0c247a3e6e5f", "é621e1f8-c36c-495a-93fc-0c247a3e6e5",
        ] {
            #expect(UUID(canonical: text) == nil, "refused: \(text.debugDescription)")
        }
    }

    private struct Body: Decodable {
        var id: UUID
        var other: UUID?

        enum CodingKeys: String, CodingKey { case id, other }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.id = try container.decodeUUID(forKey: .id)
            self.other = try container.decodeUUIDIfPresent(forKey: .other)
        }
    }

    private struct FoundationBody: Decodable {
        var id: UUID
        var other: UUID?
    }

    @Test("decodeUUID fails as Foundation's decoding does: the same error, path and words")
    func decodingErrors() throws {
        let id = UUID()
        let good = try JSONDecoder().decode(Body.self, from: Data(#"{"id":"\#(id.lowercasedText)","other":null}"#.utf8))
        #expect(good.id == id && good.other == nil)
        let absent = try JSONDecoder().decode(Body.self, from: Data(#"{"id":"\#(id.uuidString)"}"#.utf8))
        #expect(absent.other == nil)
        for body in [#"{"id":"nope"}"#, #"{"id":7}"#, #"{"id":null}"#, #"{}"#, #"{"id":"\#(id)","other":"x"}"#, #"{"id":"\#(id)","other":[]}"#] {
            let ours = Self.failure { try JSONDecoder().decode(Body.self, from: Data(body.utf8)) }
            let foundation = Self.failure { try JSONDecoder().decode(FoundationBody.self, from: Data(body.utf8)) }
            #expect(ours != nil && ours == foundation, "\(body): \(String(describing: ours)) against \(String(describing: foundation))")
        }
    }

    /// The kind of decoding error, its coding path and its description.
    private static func failure(_ body: () throws -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as DecodingError {
            switch error {
            case .dataCorrupted(let context): return "corrupted \(context.codingPath.map(\.stringValue)) \(context.debugDescription)"
            case .keyNotFound(let key, let context): return "missing \(key.stringValue) \(context.codingPath.map(\.stringValue))"
            case .typeMismatch(let type, let context): return "type \(type) \(context.codingPath.map(\.stringValue))"
            case .valueNotFound(let type, let context): return "null \(type) \(context.codingPath.map(\.stringValue))"
            @unknown default: return "other"
            }
        } catch {
            return "\(error)"
        }
    }
}
