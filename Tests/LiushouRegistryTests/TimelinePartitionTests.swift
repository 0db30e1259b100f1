import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouMigrations
import LiushouPostgres
import LiushouTestSupport
import Testing

/// `person_event` by China month (migration 0030): months ahead made by the server, rows outside
/// every month kept in the default partition until theirs is made, the migration on a filled table.
@Suite("Timeline partitions")
struct TimelinePartitionTests {
    /// The timeline's items (id, kind) newest first, as the API answers.
    static func timeline(_ person: String, token: String, client: some TestClientProtocol) async throws -> [String] {
        let response = try await client.send(.get, "/v1/persons/\(person)/timeline", token: token)
        #expect(response.status == .ok, "\(response.text)")
        let items = try #require(try response.json()["items"] as? [[String: Any]])
        return items.map { "\($0["id"] ?? "")|\($0["kind"] ?? "")|\($0["at"] ?? "")" }
    }

    static func partition(of id: String, _ database: TestDatabase) async throws -> String? {
        try await database.pool.query("select tableoid::regclass::text as part from person_event where id = \(UUID(uuidString: id)!)")
            .first?.decode("part", as: String.self)
    }

    @Test("months ahead exist; a row dated past them waits in the default partition and moves into its month when it is made")
    func monthsAhead() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let months = try await database.pool.query(
                """
                select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'person_event'::regclass and c.relname ~ '^person_event_y[0-9]{4}m[0-9]{2}$'
                  and c.relname >= 'person_event_y' || to_char(now() at time zone 'Asia/Shanghai', 'YYYY"m"MM')
                """
            ).first?.decode("n", as: Int.self)
            #expect(months == 4, "this month and three ahead")
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                let person = UUID().uuidString.lowercased()
                var body = People.child(village: fixture.village1a)
                body["id"] = person
                #expect(try await client.post("/v1/persons", json: body, token: cadre).status == .created)
                let late = UUID().uuidString.lowercased()
                try await database.pool.query(
                    """
                    insert into person_event (id, person_id, at, module, kind, summary)
                    values (\(UUID(uuidString: late)!), \(UUID(uuidString: person)!), now() + interval '8 months', 'registry', 'test.late', '八个月后')
                    """
                )
                #expect(try await Self.partition(of: late, database) == "person_event_default")
                let before = try await Self.timeline(person, token: cadre, client: client)
                #expect(before.count == 2 && before.first?.contains("test.late") == true)

                // Two servers at once: one makes the months, the other returns at once.
                async let first = database.appPool.query("select history_partitions_ensure(9) as n")
                async let second = database.appPool.query("select history_partitions_ensure(9) as n")
                let created = try await [first, second].map { try $0.first?.decode("n", as: Int.self) ?? -1 }
                // Two months back and six ahead, of the timeline and of door checks (migration 0031).
                #expect(created.sorted() == [0, 16], "\(created)")
                let moved = try #require(try await Self.partition(of: late, database))
                #expect(moved.hasPrefix("person_event_y"), "\(moved)")
                #expect(try await Self.timeline(person, token: cadre, client: client) == before)
                #expect(try await database.appPool.query("select history_partitions_ensure(9) as n").first?.decode("n", as: Int.self) == 0)
            }
            // The application role reaches rows only through the parent (and its policies).
            await #expect(throws: DatabaseError.self) { try await database.appPool.query("select count(*) from person_event_default") }
        }
    }

    @Test("migration 0030 moves a filled timeline into its months; the timeline reads the same")
    func migratesFilledTable() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            try await database.migrate(before: 30)
            let fixture = try await PlatformFixture.seed(database)
            try await PlatformApp.make(database).test(.router) { client in
                let cadre = try await client.login("village1a.cadre")
                var people: [String] = []
                for sequence in 1...3 {
                    let person = UUID().uuidString.lowercased()
                    var body = People.child(name: "孩子\(sequence)", sequence: 300 + sequence, village: fixture.village1a)
                    body["id"] = person
                    #expect(try await client.post("/v1/persons", json: body, token: cadre).status == .created)
                    people.append(person)
                }
                // Older history: 14 months, 3 months and 40 days back, and one row 7 years back.
                for (index, age) in ["14 months", "3 months", "40 days", "7 years"].enumerated() {
                    try await database.pool.query(
                        """
                        insert into person_event (id, person_id, at, module, kind, summary)
                        select gen_random_uuid(), p.id, now() - \(age)::interval, 'registry', 'test.old', \("旧\(index)")
                        from person p
                        """
                    )
                }
                var timelines: [String: [String]] = [:]
                for person in people { timelines[person] = try await Self.timeline(person, token: cadre, client: client) }
                let count = try await database.pool.query("select count(*)::int as n from person_event").first?.decode("n", as: Int.self)

                try await Migrator(catalog: try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory()), logger: TestPostgres.logger)
                    .migrate(pool: database.pool)
                #expect(try await database.pool.query("select count(*)::int as n from person_event").first?.decode("n", as: Int.self) == count)
                for person in people {
                    #expect(try await Self.timeline(person, token: cadre, client: client) == timelines[person])
                }
                // Each row in the partition of its China month; the row older than six years in the default one.
                let misplaced = try await database.pool.query(
                    """
                    select count(*)::int as n from person_event
                    where tableoid::regclass::text <> case when at < now() - interval '6 years'
                        then 'person_event_default' else 'person_event_y' || to_char(at at time zone 'Asia/Shanghai', 'YYYY"m"MM') end
                    """
                ).first?.decode("n", as: Int.self)
                #expect(misplaced == 0)
                let inDefault = try await database.pool.query("select count(*)::int as n from person_event_default").first?.decode("n", as: Int.self)
                #expect(inDefault == 3)
            }
        }
    }
}
