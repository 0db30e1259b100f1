import Foundation
import HTTPTypes
import Hummingbird
import LiushouHTTP
import HummingbirdTesting
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

    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "select id_number from person where id = 'secret' — stack trace here" }
    }

    static func app(_ database: TestDatabase) throws -> some ApplicationProtocol {
        try TestApp.make(database) { router in
            router.post("test/households") { request, context in
                let household = try await request.decodeJSON(as: Household.self, context: context)
                return "\(household.members.count)"
            }
            router.get("test/crash") { _, _ -> String in throw SecretFailure() }
            router.get("test/database") { _, _ -> String in
                try await database.pool.query("select * from no_such_table")
                return "unreachable"
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
                try await client.execute(uri: "/test/households", method: .post, body: ByteBuffer(string: #"{"address": "一组", "members": []}"#)) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.text == "0")
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
