import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LiushouHTTP
import LiushouPostgres
import LiushouServer
import LiushouTestSupport
import NIOCore
import Testing

@Suite("Problem responses")
struct ProblemTests {
    struct Household: Decodable {
        struct Member: Decodable {
            var name: String
            var age: Int
        }

        var address: String
        var members: [Member]
    }

    struct Times: Decodable {
        var at: Date
        var on: LocalDate
    }

    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "select id_number from person where id = 'secret' — stack trace here" }
    }

    static func app(_ database: TestDatabase) throws -> some ApplicationProtocol {
        try TestApp.make(database) { router in
            router.post("test/households") { request, context in
                let household = try await request.decodeJSON(as: Household.self, context: context)
                return "\(household.members.count)"
            }
            router.post("test/times") { request, context in
                let times = try await request.decodeJSON(as: Times.self, context: context)
                _ = times.on
                return String(format: "%.6f", times.at.timeIntervalSince1970)
            }
            router.get("test/crash") { _, _ -> String in throw SecretFailure() }
            router.get("test/database") { _, _ -> String in
                try await database.pool.query("select * from no_such_table")
                return "unreachable"
            }
        }
    }

    @Test("a Problem renders as problem+json even without ProblemMiddleware (Hummingbird's HTTPResponseError)")
    func problemIsAnHTTPResponseError() async throws {
        let router = Router(context: AppRequestContext.self)
        router.get("refused") { _, _ -> String in throw Problem.validation([.init(field: "name", message: "is required")]) }
        try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
            try await client.execute(uri: "/refused", method: .get) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(String(buffer: response.body).contains(#""field":"name""#))
            }
        }
    }

    @Test("unknown paths answer 404 problem+json with a stable code and the request id")
    func notFound() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                try await client.execute(uri: "/v1/no-such-resource/123", method: .get) { response throws in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let body = try response.json()
                    #expect(body["code"] as? String == "not_found")
                    #expect(body["status"] as? Int == 404)
                    #expect(body["type"] as? String != nil)
                    #expect(body["title"] as? String != nil)
                    #expect(body["requestId"] as? String == response.headers[HTTPField.Name("X-Request-Id")!])
                }
            }
        }
    }

    @Test("a body that is not JSON answers 400 bad_request")
    func malformedJSON() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: "{not json")) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(try response.json()["code"] as? String == "bad_request")
                }
            }
        }
    }

    @Test("a wrong or missing field answers 400 naming the field's path")
    func fieldErrors() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                let wrongType = #"{"address": "一组", "members": [{"name": "甲", "age": 70}, {"name": "乙", "age": "old"}]}"#
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: wrongType)) { response throws in
                    #expect(response.status == .badRequest)
                    let errors = try response.json()["errors"] as? [[String: String]]
                    #expect(errors?.first?["field"] == "members[1].age")
                    #expect(!response.text.contains("\"old\""))
                }
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: #"{"members": []}"#)) { response throws in
                    #expect(response.status == .badRequest)
                    let errors = try response.json()["errors"] as? [[String: String]]
                    #expect(errors?.first?["field"] == "address")
                }
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: #"{"address": "一组", "members": []}"#)) {
                    response throws in
                    #expect(response.status == .ok)
                    #expect(response.text == "0")
                }
            }
        }
    }

    @Test("a key sent twice, a NUL character or an unpaired surrogate answers 400 naming the field; nothing reaches the handler")
    func unstorableAndAmbiguousBodies() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                let cases: [(body: String, field: String)] = [
                    (#"{"address": "一组", "address": "二组", "members": []}"#, "address"),
                    (#"{"address": "一组", "members": [{"name": "甲", "age": 70}, {"name": "乙", "age": 1, "age": 2}]}"#, "members[1].age"),
                    (#"{"address": "一\u0000组", "members": []}"#, "address"),
                    (#"{"address": "一组", "members": [{"name": "甲", "age": 70}, {"name": "a\u0000b", "age": 3}]}"#, "members[1].name"),
                    (#"{"address": "\ud800", "members": []}"#, "address"),
                    (#"{"address": "一组", "members": [], "x\u0000": 1}"#, "x"),
                ]
                for (body, field) in cases {
                    try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: body)) { response throws in
                        #expect(response.status == .badRequest, "\(body)")
                        let errors = try response.json()["errors"] as? [[String: String]]
                        #expect(errors?.first?["field"] == field, "\(body)")
                    }
                }
                // Bodies over 64 KiB are checked on the thread pool while they are decoded: the check's refusal still
                // answers, also when decoding fails earlier in the body (member 5's age is a string).
                let many = (0..<2_000).map { #"{"name": "成员\#($0)", "age": 30}"# }
                var broken = many
                broken[5] = #"{"name": "戊", "age": "三十"}"#
                let large: [(members: [String], field: String)] = [
                    (broken.enumerated().map { $0.offset == 1_200 ? #"{"name": "a\u0000b", "age": 3}"# : $0.element }, "members[1200].name"),
                    (broken.enumerated().map { $0.offset == 1_400 ? #"{"name": "甲", "age": 1, "age": 2}"# : $0.element }, "members[1400].age"),
                    (broken, "members[5].age"),
                ]
                for (members, field) in large {
                    let body = #"{"address": "一组", "members": ["# + members.joined(separator: ",") + "]}"
                    #expect(body.utf8.count > 64 * 1024)
                    try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: body)) { response throws in
                        #expect(response.status == .badRequest, "\(field)")
                        let errors = try response.json()["errors"] as? [[String: String]]
                        #expect(errors?.first?["field"] == field, "\(response.text)")
                    }
                }
                let largeFine = #"{"address": "一组", "members": ["# + many.joined(separator: ",") + "]}"
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: largeFine)) { response throws in
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(response.text == "2000")
                }
                // Escapes that are fine stay fine: a paired surrogate (an emoji), quotes and backslashes, and the same
                // keys in different objects.
                let fine = #"{"address": "\ud83d\ude00 \"一\\组\"", "members": [{"name": "甲", "age": 70}, {"name": "乙", "age": 71}]}"#
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: fine)) { response throws in
                    #expect(response.status == .ok, "\(response.text)")
                    #expect(response.text == "2")
                }
                // A NUL in a query parameter is refused for every route, naming the parameter (the ledger export too).
                // Foundation's substring search passes over `%00` or a NUL followed by a combining mark: refused all the same.
                for uri in [
                    "/v1/persons?q=%00", "/v1/exports/persons?q=a%00b", "/v1/school-rates?on=%00", "/v1/persons?q=%E7%8E%8B%00%CC%81",
                    "/v1/persons?q=%00\u{301}",
                ] {
                    try await client.execute(uri: uri, method: .get) { response throws in
                        #expect(response.status == .badRequest, "\(uri)")
                        let errors = try response.json()["errors"] as? [[String: String]]
                        #expect(errors?.first?["field"] == String(uri.split(separator: "?")[1].split(separator: "=")[0]), "\(uri)")
                    }
                }
            }
        }
    }

    @Test("times and dates: strict RFC 3339, parts in range (never rolled over), fractions kept, years 1900 to 2100")
    func timesAndDates() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                let refused: [(body: String, field: String)] = [
                    (#"{"at": "2026-06-15T25:00:00+08:00", "on": "2026-06-15"}"#, "at"),
                    (#"{"at": "2026-02-30T10:00:00Z", "on": "2026-06-15"}"#, "at"),
                    (#"{"at": "2026-06-15T10:60:00Z", "on": "2026-06-15"}"#, "at"),
                    (#"{"at": "2026-06-15T10:00:00", "on": "2026-06-15"}"#, "at"),
                    (#"{"at": "0001-01-01T00:00:00Z", "on": "2026-06-15"}"#, "at"),
                    (#"{"at": "2026-06-15T10:00:00Z", "on": "0001-01-01"}"#, "on"),
                    (#"{"at": "2026-06-15T10:00:00Z", "on": "2999-01-01"}"#, "on"),
                ]
                for (body, field) in refused {
                    try await client.execute(uri: "/test/times", method: .post, body: ByteBuffer(string: body)) { response throws in
                        #expect(response.status == .badRequest, "\(body)")
                        let errors = try response.json()["errors"] as? [[String: String]]
                        #expect(errors?.first?["field"] == field, "\(body)")
                    }
                }
                let accepted: [(body: String, seconds: String)] = [
                    (#"{"at": "2026-06-15T10:00:00+08:00", "on": "2026-06-15"}"#, "1781488800.000000"),
                    (#"{"at": "2026-06-15T02:00:00.25Z", "on": "1900-01-01"}"#, "1781488800.250000"),
                    (#"{"at": "2026-06-15T02:00:00.123456789Z", "on": "2100-12-31"}"#, "1781488800.123456"),
                ]
                // Whatever a client sends, parsing answers a date or nil, never traps: every prefix and one-character
                // change of valid stamps.
                for stamp in ["2026-06-15T02:00:00.123456789Z", "2026-06-15T10:00:00+08:00"] {
                    let characters = Array(stamp)
                    for end in 0...characters.count { _ = Date(rfc3339: String(characters[..<end])) }
                    for index in characters.indices {
                        for replacement in ["9", ":", ".", "Z", "-", "+", "", "99"] {
                            _ = Date(rfc3339: String(characters[..<index]) + replacement + String(characters[(index + 1)...]))
                        }
                    }
                }
                for (body, seconds) in accepted {
                    try await client.execute(uri: "/test/times", method: .post, body: ByteBuffer(string: body)) { response throws in
                        #expect(response.status == .ok, "\(body): \(response.text)")
                        #expect(response.text == seconds, "\(body)")
                    }
                }
            }
        }
    }

    @Test("a body over the limit answers 413 payload_too_large")
    func tooLarge() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: AppRequestContext.defaultMaxBodyBytes + 1)
                try await client.execute(uri: "/test/households", method: .post, body: big) { response throws in
                    #expect(response.status == .contentTooLarge)
                    #expect(try response.json()["code"] as? String == "payload_too_large")
                    #expect(try (response.json()["detail"] as? String)?.contains("2 MiB") == true)
                }
                // A route with a larger limit names its own limit, not the default.
                let batchLimit = 16 * 1024 * 1024
                let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: batchLimit + 1)
                try await client.execute(
                    uri: "/v1/checkups/batch",
                    method: .post,
                    headers: [.contentLength: String(batchLimit + 1)],
                    body: huge
                ) { response throws in
                    #expect(response.status == .contentTooLarge)
                    #expect(try (response.json()["detail"] as? String)?.contains("16 MiB") == true)
                    #expect(try response.json()["limitBytes"] as? String == String(batchLimit))
                }
                // The ledger import declares 64 MiB beside its route: over it, 413 naming it; over the
                // default but within it, the request goes on (to authentication, here). The test client sends
                // the body's real length, so the bodies are real.
                let importLimit = 64 * 1024 * 1024
                for (declared, status) in [(importLimit + 1, HTTPResponse.Status.contentTooLarge), (3 * 1024 * 1024, .unauthorized)] {
                    try await client.execute(
                        uri: "/v1/imports/persons",
                        method: .post,
                        headers: [.contentLength: String(declared)],
                        body: ByteBuffer(repeating: UInt8(ascii: "a"), count: declared)
                    ) { response throws in
                        #expect(response.status == status)
                        if status == .contentTooLarge {
                            #expect(try response.json()["limitBytes"] as? String == String(importLimit))
                        }
                    }
                }
            }
        }
    }

    @Test("a deadlock victim or a serialization failure answers 503 concurrent_write with Retry-After, not 500")
    func concurrentWritesAreRetried() async throws {
        let router = Router(context: AppRequestContext.self)
        router.middlewares.add(ProblemMiddleware())
        router.get("deadlock") { _, _ -> String in throw DatabaseError.deadlockDetected }
        router.get("serialization") { _, _ -> String in throw DatabaseError.serializationFailure }
        try await Application(router: router, logger: TestPostgres.logger).test(.router) { client in
            for uri in ["/deadlock", "/serialization"] {
                try await client.execute(uri: uri, method: .get) { response throws in
                    #expect(response.status == .serviceUnavailable, "\(uri)")
                    #expect(response.headers[.retryAfter] == "1", "\(uri)")
                    #expect(try response.json()["code"] as? String == "concurrent_write", "\(uri)")
                }
            }
        }
    }

    @Test("a 500 never leaks SQL, stack traces or internal messages")
    func internalErrorsAreOpaque() async throws {
        try await TestPostgres.withDatabase { database in
            try await Self.app(database).test(.router) { client in
                for uri in ["/test/crash", "/test/database"] {
                    try await client.execute(uri: uri, method: .get) { response throws in
                        #expect(response.status == .internalServerError)
                        let body = response.text
                        #expect(try response.json()["code"] as? String == "internal_error")
                        for leak in ["select", "secret", "stack", "no_such_table", "42P01", "relation"] {
                            #expect(!body.lowercased().contains(leak), "500 body leaks \(leak)")
                        }
                    }
                }
            }
        }
    }
}
