import Foundation
import LiushouPostgres
import LiushouTestSupport
import Testing

@Suite("Bound parameters")
struct BindingTests {
    static let awkwardStrings = [
        "O'Brien", "back\\slash\\", "$1", "$2 and $1", "\"double\"", "王小明，留守儿童", "🙂👵🏽", "tab\tnew\nline\r",
        "'; drop table person; --", "", "  spaced  ", "e'\\x41'",
    ]

    @Test("strings with quotes, backslashes, placeholders, Chinese and emoji round-trip unchanged")
    func awkwardStringsRoundTrip() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await database.pool.query("create table note (id int primary key, body text not null)")
            for (index, text) in Self.awkwardStrings.enumerated() {
                try await database.pool.query("insert into note (id, body) values (\(index), \(text))")
                let echoed = try await database.pool.query("select \(text)::text as echoed, \("$1") as literal_placeholder")
                #expect(try echoed.first?.decode("echoed", as: String.self) == text)
                #expect(try echoed.first?.decode("literal_placeholder", as: String.self) == "$1")
            }
            let rows = try await database.pool.query("select id, body from note order by id")
            let stored = try rows.map { try $0.decode("body", as: String.self) }
            #expect(stored == Self.awkwardStrings)
            let count = try await database.pool.query("select count(*) as n from note where body = \("'; drop table person; --")")
            #expect(try count.first?.decode("n", as: Int.self) == 1)
        }
    }

    @Test("a string holding NUL is refused before it is sent, naming the parameter")
    func nulIsRefused() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let error = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("select \(1) as a, \("bad\u{0}text") as b")
            }
            guard case .invalidParameter(let position, _) = error else {
                Issue.record("expected invalidParameter, got \(String(describing: error))")
                return
            }
            #expect(position == 2)
        }
    }

    @Test("nested fragments are renumbered and identifiers are quoted")
    func composition() async throws {
        let filter: SQLQuery = "name = \("a") and age > \(3)"
        let query: SQLQuery =
            "select \(identifier: "we\"ird") from t where id = \(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!) and \(filter)"
        #expect(query.sql == "select \"we\"\"ird\" from t where id = $1 and name = $2 and age > $3")
        // A quote followed by a combining mark is one Character: doubled all the same.
        #expect(SQLQuery.quoteIdentifier("a\"\u{301}b") == "\"a\"\"\u{301}b\"")
        #expect(query.bindings.count == 3)
        #expect(query.bindings[0].type == .uuid)
        #expect(!query.description.contains("00000000"))
        let joined = SQLQuery.joined(["a = \(1)", "b = \(2)", "c = '$1'"], separator: " or ")
        #expect(joined.sql == "a = $1 or b = $2 or c = '$1'")
    }

    @Test("renumbering skips what PostgreSQL does not read as a placeholder: literals, E-strings, dollar quotes, comments")
    func renumberingSkipsNonPlaceholders() {
        let cases: [(String, String)] = [
            ("a = $1 and b = '$1' and c = \"$1\"", "a = $4 and b = '$1' and c = \"$1\""),
            ("a = 'it''s $1' or b = $2", "a = 'it''s $1' or b = $5"),
            ("a = E'\\' $1' or b = $1", "a = E'\\' $1' or b = $4"),
            ("a = $1 -- not $2\n and b = $2", "a = $4 -- not $2\n and b = $5"),
            ("a = $1 /* $2 /* nested $2 */ still $2 */ and b = $2", "a = $4 /* $2 /* nested $2 */ still $2 */ and b = $5"),
            ("do $$ begin perform $1; end $$; select $1", "do $$ begin perform $1; end $$; select $4"),
            ("select $body$ $1 $x$ $body$, $2", "select $body$ $1 $x$ $body$, $5"),
            ("select x$y, $1", "select x$y, $4"),
            ("a = '王$1' and b = $1 /* 注释 $2 */ and c = $标签$ $1 $标签$ || $2", "a = '王$1' and b = $4 /* 注释 $2 */ and c = $标签$ $1 $标签$ || $5"),
            ("no placeholders at all", "no placeholders at all"),
        ]
        for (fragment, expected) in cases {
            #expect(SQLQuery.renumbered(fragment, by: 3) == expected, "\(fragment)")
        }
    }

    @Test("a fragment with a dollar-quoted body runs with its placeholders renumbered around it")
    func dollarQuotedFragmentRuns() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let body = SQLQuery(unsafeSQL: "select $$ $1 is text here $$ as quoted, $1::int as bound", bindings: [])
            let query: SQLQuery = "with a as (select \(7)::int as seven) select a.seven, q.quoted, q.bound from a, (\(Self.bound(body, 9))) q"
            let row = try #require(try await database.pool.query(query).first)
            #expect(try row.decode("seven", as: Int.self) == 7)
            #expect(try row.decode("quoted", as: String.self) == " $1 is text here ")
            #expect(try row.decode("bound", as: Int.self) == 9)
        }
    }

    /// `fragment` with one value bound to its `$1`.
    static func bound(_ fragment: SQLQuery, _ value: Int) -> SQLQuery {
        SQLQuery(unsafeSQL: fragment.sql, bindings: [value.postgresBinding])
    }

    @Test("composed queries execute with the right values in the right places")
    func composedExecution() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            let inner: SQLQuery = "\(10) + \(5)"
            var query: SQLQuery = "select \(2) * (\(inner)) as total, \("x") as label"
            query.append(", \(7) as extra")
            let row = try #require(try await database.pool.query(query).first)
            #expect(try row.decode((Int, String, Int).self) == (30, "x", 7))
        }
    }

    struct JSONItem: Codable, Equatable {
        var id: UUID
        var name: String?
        var tags: [String]
        var latitude: Double?
        var at: Date?
    }

    @Test("JSONText reads back as the items and as the same jsonb as JSONEncoder's text: escapes, Chinese, emoji, numbers, left-out nils")
    func jsonTextReadsBack() async throws {
        var names: [String?] = Self.awkwardStrings.map { $0 } + [nil, "\u{1}\u{8}\u{c}\u{1f}\u{7f}", "a/b", "quote \" inside", "\\u0041"]
        names += (0..<200).map { _ in String((0..<12).map { _ in Character(Unicode.Scalar(UInt32.random(in: 1...0x2FF)) ?? "x") }) }
        let items = names.map { name in
            JSONItem(
                id: UUID(),
                name: name,
                tags: name.map { [$0, "健康"] } ?? [],
                latitude: Bool.random() ? Double.random(in: -90...90) : nil,
                at: name == nil ? nil : Date(timeIntervalSince1970: Double(Int.random(in: -2_000_000_000...4_000_000_000)))
            )
        }
        let json = JSONText.array(of: items) { json, item in
            json.field("id", item.id)
            json.field("name", item.name)
            json.field("tags", item.tags)
            json.field("latitude", item.latitude)
            json.field("at", item.at)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        #expect(try decoder.decode([JSONItem].self, from: Data(json.utf8)) == items)
        try await TestPostgres.withDatabase(migrated: false) { database in
            let row = try #require(
                try await database.pool.query(
                    "select \(json)::jsonb = \(PostgresJSON(items))::jsonb as same, jsonb_array_length(\(json)::jsonb) as n"
                ).first
            )
            #expect(try row.decode("same", as: Bool.self))
            #expect(try row.decode("n", as: Int.self) == items.count)
            // A number JSON cannot hold fails the binding before anything is sent.
            let infinite = JSONText.object { $0.field("latitude", Double.infinity) }
            await #expect(throws: DatabaseError.self) { try await database.pool.query("select \(infinite)::jsonb") }
        }
    }

    @Test("a canonical JSONText object is JSONEncoder's sorted-keys text, byte for byte")
    func canonicalObjectIsEncoderText() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        for name in Self.awkwardStrings + ["a/b", "\u{1}\u{7f}\u{2028}", "🙂"] {
            let item = JSONItem(id: UUID(), name: name, tags: [name, "x/y"], latitude: -0.0, at: Date(timeIntervalSince1970: -1.5))
            let json = JSONText.object(canonical: true) { json in
                json.field("at", item.at)
                json.field("id", item.id)
                json.field("latitude", item.latitude)
                json.field("name", item.name)
                json.field("tags", item.tags)
            }
            #expect(json.utf8 == Array(try encoder.encode(item)), "\(name)")
        }
    }

    struct NestedItem: Codable, Equatable {
        struct Part: Codable, Equatable {
            var name: String
            var value: Double
        }

        var flag: Bool?
        var parts: [Part]
        var byName: [String: Part]
    }

    @Test("JSONText nests objects, arrays of objects and objects under keys that are data, as JSONEncoder writes them")
    func nestedObjects() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (index, name) in (Self.awkwardStrings + ["a/b", "\u{1}\u{7f}", "🙂", ""]).enumerated() {
            let parts = [NestedItem.Part(name: name, value: Double(index) / 3), NestedItem.Part(name: "收缩压", value: -0.0)]
            let item = NestedItem(
                flag: [true, false, nil][index % 3],
                parts: parts,
                byName: Dictionary(parts.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            )
            let write = { (json: inout JSONText.Fields) in
                json.object("byName") { json in
                    // Sorted keys are in byte order, as `JSONEncoder`'s `.sortedKeys` orders them.
                    for (key, part) in item.byName.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                        json.object(key: key) { json in
                            json.field("name", part.name)
                            json.field("value", part.value)
                        }
                    }
                }
                json.field("flag", item.flag)
                json.objects("parts", of: item.parts) { json, part in
                    json.field("name", part.name)
                    json.field("value", part.value)
                }
            }
            let canonical = JSONText.object(canonical: true, write)
            #expect(canonical.utf8 == Array(try encoder.encode(item)), "\(name)")
            let plain = JSONText.object(write)
            #expect(try JSONDecoder().decode(NestedItem.self, from: Data(plain.utf8)) == item, "\(name)")
        }
    }
}
