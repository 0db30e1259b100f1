import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouTestSupport
import Testing

/// Text on which Swift's `Character`s and PostgreSQL's code points disagree (a quote, comma, `<` or
/// `%` followed by a combining mark, CRLF, a prepended mark), text longer in code points than in
/// characters, and other oddities, put in turn into every text field of the bodies people send
/// most. Each answer is a success or a 4xx, never a 5xx.
@Suite("Awkward text in any field is never a server error")
struct AwkwardTextTests {
    static let texts: [String] = [
        "\"\u{301}", "\\\u{301}", ",\u{301}x", "<\u{301}b>", "a\r\nb", "\u{600},", "%\u{301}_", "{\u{301}unit}", "\t=1+1", " ", "",
        "\u{202E}", "\u{FEFF}", "a\u{2028}b", String(repeating: "王\u{301}", count: 26), String(repeating: "x\u{301}", count: 2_001),
        String(repeating: "🙂", count: 60),
    ]

    /// A step into a JSON value: a key of an object or an index of an array.
    enum Step {
        case key(String)
        case index(Int)
    }

    /// The paths to every string in `value`.
    static func stringPaths(_ value: Any, at path: [Step] = []) -> [[Step]] {
        switch value {
        case is String:
            return [path]
        case let object as [String: Any]:
            return object.keys.sorted().flatMap { Self.stringPaths(object[$0]!, at: path + [.key($0)]) }
        case let array as [Any]:
            return array.indices.flatMap { Self.stringPaths(array[$0], at: path + [.index($0)]) }
        default:
            return []
        }
    }

    /// `value` with the string at `path` replaced by `text`.
    static func replacing(_ value: Any, at path: [Step], with text: String) -> Any {
        guard let step = path.first else { return text }
        switch (step, value) {
        case (.key(let key), var object as [String: Any]):
            object[key] = Self.replacing(object[key]!, at: Array(path.dropFirst()), with: text)
            return object
        case (.index(let index), var array as [Any]):
            array[index] = Self.replacing(array[index], at: Array(path.dropFirst()), with: text)
            return array
        default:
            return value
        }
    }

    @Test("persons, households, door checks (single and batch) and safeguarding reports")
    func neverAServerError() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await client.login("village1a.cadre")
                // Each body its own ID number (a sequence of three digits) and household code.
                var sequence = 0
                func body(_ path: String) -> [String: Any] {
                    sequence += 1
                    switch path {
                    case "/v1/persons":
                        var person = People.elder(sequence: 300 + sequence % 690, village: world.fixture.village1a)
                        person["riskFlags"] = ["独居"]
                        return person
                    case "/v1/households":
                        return ["villageId": world.fixture.village1a.idString, "address": "甲村 9 号", "code": "H\(sequence)"]
                    case "/v1/door-checks":
                        return Checks.body(person: world.child, outcome: "needs_follow_up", needs: ["health"], notes: "门口遇见")
                    case "/v1/door-checks/batch":
                        return ["items": [Checks.body(person: world.elder, notes: "门口遇见")]]
                    default:
                        return ["personId": world.child, "kind": "living_alone", "details": "孩子连续三天独自在家"]
                    }
                }
                var sent = 0
                for path in ["/v1/persons", "/v1/households", "/v1/door-checks", "/v1/door-checks/batch", "/v1/safeguarding-reports"] {
                    let plain = try await client.post(path, json: body(path), token: cadre)
                    #expect((200..<300).contains(plain.status.code), "\(path): \(plain.text)")
                    for field in Self.stringPaths(body(path)) {
                        for text in Self.texts {
                            let awkward = try #require(Self.replacing(body(path), at: field, with: text) as? [String: Any])
                            let response = try await client.post(path, json: awkward, token: cadre)
                            sent += 1
                            #expect(response.status.code < 500, "\(path) \(field) \(text.unicodeScalars.map(\.value)): \(response.text)")
                        }
                    }
                }
                #expect(sent > 300)
            }
        }
    }
}
