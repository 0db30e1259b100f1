import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Row decoding")
struct DecodingTests {
    struct Profile: Codable, Equatable, Sendable {
        var name: String
        var needs: [String]
        var risk: Int?
    }

    @Test("every supported type round-trips through a bound parameter")
    func scalarRoundTrips() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let id = UUID()
            let moment = Date(timeIntervalSince1970: 1_764_412_345.123456)
            let early = Date(timeIntervalSince1970: -2_208_988_800.5)
            let bytes = Data((0...255).map(UInt8.init))
            let birth = try #require(LocalDate(year: 1949, month: 12, day: 31))
            let money = Decimal(string: "12345678901234567890.12")!
            let query: SQLQuery = """
                select \(true) as yes, \(Int(-9_007_199_254_740_993)) as big, \(Int32(-5)) as small, \(Int16(7)) as tiny,
                       \(Int64.max) as max64, \(3.25) as real, \(Double.infinity) as inf, \(money) as money,
                       \("文字") as words, \(id) as id, \(moment) as moment, \(early) as early, \(bytes) as bytes,
                       \(birth) as birth, \(PostgresJSON(Profile(name: "李", needs: ["健康", "学习"], risk: nil))) as profile
                """
            let row = try #require(try await database.pool.query(query).first)
            #expect(try row.decode("yes", as: Bool.self) == true)
            #expect(try row.decode("big", as: Int.self) == -9_007_199_254_740_993)
            #expect(try row.decode("small", as: Int32.self) == -5)
            #expect(try row.decode("tiny", as: Int16.self) == 7)
            #expect(try row.decode("max64", as: Int64.self) == .max)
            #expect(try row.decode("real", as: Double.self) == 3.25)
            #expect(try row.decode("inf", as: Double.self) == .infinity)
            #expect(try row.decode("money", as: Decimal.self) == money)
            #expect(try row.decode("words", as: String.self) == "文字")
            #expect(try row.decode("id", as: UUID.self) == id)
            #expect(try row.decode("moment", as: Date.self) == moment)
            #expect(try row.decode("early", as: Date.self) == early)
            #expect(try row.decode("bytes", as: Data.self) == bytes)
            #expect(try row.decode("birth", as: LocalDate.self) == birth)
            #expect(try row.decode("profile", as: PostgresJSON<Profile>.self).value == Profile(name: "李", needs: ["健康", "学习"], risk: nil))
        }
    }

    @Test("server-produced values decode: timestamptz, date, numeric, arrays")
    func serverValues() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let row = try #require(
                try await database.pool.query(
                    """
                    select timestamptz '2026-11-29 08:30:00.25+08' as ts, date '2024-02-29' as d,
                           numeric '0.10' as n, array['a', null, 'b "q"', 'c,d', '\\'] as texts,
                           array[1, 2, null]::int8[] as numbers, '{}'::uuid[] as none,
                           '{"name":"王","needs":[],"risk":2}'::jsonb as profile
                    """
                ).first
            )
            #expect(try row.decode("ts", as: Date.self) == Date(timeIntervalSince1970: 1_795_912_200.25))
            #expect(try row.decode("d", as: LocalDate.self).description == "2024-02-29")
            #expect(try row.decode("d", as: Date.self) == Date(timeIntervalSince1970: 1_709_164_800))
            #expect(try row.decode("n", as: Decimal.self) == Decimal(string: "0.1"))
            #expect(try row.decode("texts", as: [String?].self) == ["a", nil, "b \"q\"", "c,d", "\\"])
            #expect(try row.decode("numbers", as: [Int?].self) == [1, 2, nil])
            #expect(try row.decode("none", as: [UUID].self) == [])
            #expect(try row.decode("profile", as: PostgresJSON<Profile>.self).value == Profile(name: "王", needs: [], risk: 2))
        }
    }

    @Test("arrays round-trip through bound parameters, including quotes, commas and NULL")
    func arrayParameters() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            // A quote or backslash followed by a combining mark is one Character, escaped all the same.
            let texts = ["a", "b \"quoted\"", "c,d", "{braces}", "back\\slash", "NULL", "", "\"\u{301}", "\\\u{301}\"", "留守🙂\""]
            let digests = [Data([0x00, 0x5c, 0x22, 0xff]), Data()]
            let ids = [UUID(), UUID()]
            let row = try #require(
                try await database.pool.query(
                    """
                    select \(texts) as texts, \(digests) as digests, \(ids) as ids, \([1, 2, 3]) as numbers, cardinality(\(texts)) as n
                    """
                ).first
            )
            #expect(try row.decode("texts", as: [String].self) == texts)
            #expect(try row.decode("digests", as: [Data].self) == digests)
            #expect(try row.decode("ids", as: [UUID].self) == ids)
            #expect(try row.decode("numbers", as: [Int].self) == [1, 2, 3])
            #expect(try row.decode("n", as: Int.self) == texts.count)
        }
    }

    @Test("arrays whose elements are written without quotes, and arrays with NULL elements, round-trip; NUL in an element is refused")
    func unquotedAndNullableArrayParameters() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let ids = (0..<1000).map { _ in UUID() }
            let digests = (0..<1000).map { index in Data((0..<32).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) }) }
            let numbers = [0, -1, Int.max, Int.min]
            let row = try #require(
                try await database.pool.query(
                    """
                    select \(ids) as ids, \(digests) as digests, \(numbers) as numbers, \([Int32(-7), 8]) as small,
                        \([true, false]) as flags, \(PostgresNullableArray([ids[0], nil]))::text as nullable_ids,
                        \(PostgresNullableArray([Data([0x5c]), nil, Data()]))::text as nullable_digests,
                        \(PostgresNullableArray<String>([nil, "NULL", ""]))::text as nullable_texts,
                        \(PostgresNullableArray<Int>([nil, 4]))::text as nullable_numbers,
                        \(PostgresNullableArray<UUID>([])) as no_ids,
                        array_length(\(ids), 1) as n
                    """
                ).first
            )
            #expect(try row.decode("ids", as: [UUID].self) == ids)
            #expect(try row.decode("digests", as: [Data].self) == digests)
            #expect(try row.decode("numbers", as: [Int].self) == numbers)
            #expect(try row.decode("small", as: [Int].self) == [-7, 8])
            #expect(try row.decode("flags", as: [Bool].self) == [true, false])
            #expect(try row.decode("nullable_ids", as: String.self) == "{\(ids[0].uuidString.lowercased()),NULL}")
            #expect(try row.decode("nullable_digests", as: String.self) == #"{"\\x5c",NULL,"\\x"}"#)
            #expect(try row.decode("nullable_texts", as: String.self) == #"{NULL,"NULL",""}"#)
            #expect(try row.decode("nullable_numbers", as: String.self) == "{NULL,4}")
            #expect(try row.decode("no_ids", as: [UUID].self) == [])
            #expect(try row.decode("n", as: Int.self) == 1000)
            // The text sent, element by element as the server's own output writes them.
            #expect(ids.postgresText == "{" + ids.map { $0.uuidString.lowercased() }.joined(separator: ",") + "}")
            #expect([Data([0x5c, 0xff]), Data()].postgresText == #"{"\\x5cff","\\x"}"#)
            #expect([true, false].postgresText == "{t,f}")
            #expect(numbers.postgresText == "{0,-1,\(Int.max),\(Int.min)}")
            #expect(["a\"b", "c\\d", "", "NULL", "{x,y}"].postgresText == #"{"a\"b","c\\d","","NULL","{x,y}"}"#)

            // An element that cannot be sent fails the array as it would fail alone: NUL in text, a JSON
            // number that is not finite, a value JSONEncoder refuses.
            let infinite = JSONText.object { $0.field("value", Double.infinity) }
            for bound in [
                ["fine", "bad\u{0}text"].postgresBinding, PostgresNullableArray<String>([nil, "bad\u{0}text"]).postgresBinding,
                [JSONText.object { $0.field("value", 1.0) }, infinite].postgresBinding, PostgresNullableArray([nil, infinite]).postgresBinding,
                [PostgresJSON(["value": Double.nan])].postgresBinding,
            ] {
                #expect(bound.encodingFailure != nil)
                #expect(bound.text == nil)
            }
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("select \(1) as a, \(["fine", "bad\u{0}text"]) as b")
            }
            guard case .invalidParameter(let position, _) = error else {
                Issue.record("expected invalidParameter, got \(String(describing: error))")
                return
            }
            #expect(position == 2)
        }
    }

    @Test("NULL decodes to nil for optionals and is an error for non-optionals")
    func nulls() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let absent: Int? = nil
            let row = try #require(
                try await database.pool.query(
                    """
                    select null::text as t, null::int8 as i, null::uuid as u, null::timestamptz as ts, null::bytea as b,
                           null::jsonb as j, null::date as d, null::bool as f, null::numeric as n, \(absent) as bound
                    """
                ).first
            )
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("i", as: Int?.self) == nil)
            #expect(try row.decode("u", as: UUID?.self) == nil)
            #expect(try row.decode("ts", as: Date?.self) == nil)
            #expect(try row.decode("b", as: Data?.self) == nil)
            #expect(try row.decode("j", as: PostgresJSON<Profile>?.self) == nil)
            #expect(try row.decode("d", as: LocalDate?.self) == nil)
            #expect(try row.decode("f", as: Bool?.self) == nil)
            #expect(try row.decode("n", as: Decimal?.self) == nil)
            #expect(try row.decode("bound", as: Int?.self) == nil)
            #expect(try row.isNull("t"))
            #expect(throws: DatabaseError.unexpectedNull(column: "t", swiftType: "String")) {
                try row.decode("t", as: String.self)
            }
        }
    }

    @Test("a type mismatch names the column and both types")
    func mismatch() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let row = try #require(try await database.pool.query("select 'abc'::text as name, 5::int4 as n, now() as at").first)
            let error = #expect(throws: DatabaseError.self) { try row.decode("name", as: Int.self) }
            #expect(error == .typeMismatch(column: "name", postgresType: "text", swiftType: "Int"))
            #expect(error?.description.contains("\"name\"") == true)
            #expect(error?.description.contains("text") == true && error?.description.contains("Int") == true)
            #expect(throws: DatabaseError.typeMismatch(column: "n", postgresType: "integer", swiftType: "String")) {
                try row.decode("n", as: String.self)
            }
            #expect(throws: DatabaseError.typeMismatch(column: "at", postgresType: "timestamptz", swiftType: "UUID")) {
                try row.decode("at", as: UUID.self)
            }
            #expect(throws: DatabaseError.columnNotFound("missing")) { try row.decode("missing", as: Int.self) }
        }
    }

    @Test("JSON that does not fit the Codable type is reported with the column")
    func jsonMismatch() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let row = try #require(try await database.pool.query("select '{\"name\": 5}'::jsonb as profile").first)
            let error = #expect(throws: DatabaseError.self) { try row.decode("profile", as: PostgresJSON<Profile>.self) }
            guard case .jsonDecoding(let column, _, _) = error else {
                Issue.record("expected jsonDecoding, got \(String(describing: error))")
                return
            }
            #expect(column == "profile")
        }
    }

    @Test("LocalDate rejects impossible dates")
    func localDateValidation() {
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate("2024-13-01") == nil)
        #expect(LocalDate("1949-12-31")?.description == "1949-12-31")
    }
}
