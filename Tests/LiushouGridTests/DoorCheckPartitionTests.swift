import Foundation
import HTTPTypes
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouMigrations
import LiushouPostgres
import LiushouTestSupport
import Testing

/// `door_check` by China month (migration 0031): months ahead made with the timeline's, ids unique
/// across months through `door_check_key`, the migration on a filled table.
@Suite("Door check partitions")
struct DoorCheckPartitionTests {
    static func partition(of id: UUID, _ database: TestDatabase) async throws -> String? {
        try await database.pool.query("select tableoid::regclass::text as part from door_check where id = \(id)")
            .first?.decode("part", as: String.self)
    }

    /// The partition a time's China month has.
    static func month(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "door_check_y%04dm%02d", parts.year!, parts.month!)
    }

    /// One check's answer on the single path ("created", "duplicate", "conflict", "rejected").
    static func single(_ body: [String: Any], token: String, client: some TestClientProtocol) async throws -> String {
        let response = try await client.post("/v1/door-checks", json: body, token: token)
        switch response.status.code {
        case 201: return "created"
        case 200: return try response.json()["status"] as? String ?? "?"
        case 409: return "conflict"
        case 422: return "rejected"
        default: return "HTTP \(response.status.code): \(response.text)"
        }
    }

    static func batch(_ items: [[String: Any]], token: String, client: some TestClientProtocol) async throws -> [String] {
        let response = try await client.post("/v1/door-checks/batch", json: ["items": items], token: token)
        #expect(response.status == .ok, "\(response.text)")
        return try response.decode(Answer.Batch.self).results.map(\.status)
    }

    /// A person's door checks (id, time, kind, outcome) newest first, as the API answers.
    static func checks(of person: String, token: String, client: some TestClientProtocol) async throws -> [String] {
        let response = try await client.send(.get, "/v1/persons/\(person)/door-checks", token: token)
        #expect(response.status == .ok, "\(response.text)")
        let items = try #require(try response.json()["items"] as? [[String: Any]])
        return items.map { "\($0["id"] ?? "")|\($0["occurredAt"] ?? "")|\($0["kind"] ?? "")|\($0["outcome"] ?? "")" }
    }

    /// A town's overdue list (person, rule, last check), as the API answers.
    static func overdue(_ town: String, token: String, client: some TestClientProtocol) async throws -> [String] {
        let response = try await client.send(.get, "/v1/overdue?unitId=\(town)", token: token)
        #expect(response.status == .ok, "\(response.text)")
        let items = try #require(try response.json()["items"] as? [[String: Any]])
        return items.map { "\($0["personName"] ?? "")|\($0["ruleKey"] ?? "")|\($0["lastCheckAt"] ?? "-")" }
    }

    static func count(_ sql: SQLQuery, _ database: TestDatabase) async throws -> Int? {
        try await database.pool.query(sql).first?.decode("n", as: Int.self)
    }

    @Test("months ahead exist; an id stored in another month answers conflict on both paths, a retry duplicate; each check in its month")
    func idsAcrossMonths() async throws {
        try await TestPostgres.withDatabase { database in
            let months = try await Self.count(
                """
                select count(*)::int as n from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'door_check'::regclass and c.relname ~ '^door_check_y[0-9]{4}m[0-9]{2}$'
                  and c.relname >= 'door_check_y' || to_char(now() at time zone 'Asia/Shanghai', 'YYYY"m"MM')
                """,
                database
            )
            #expect(months == 4, "this month and three ahead")
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                // 40 days back: another China month than now, which the new database has no partition for yet.
                let old = UUID()
                let oldBody = Checks.body(id: old, person: world.child, occurred: 40 * 86_400, notes: "四十天前")
                #expect(try await Self.single(oldBody, token: worker, client: client) == "created")
                #expect(try await Self.partition(of: old, database) == "door_check_default")
                // The same id now, on both paths: another month, still the same id.
                var again = Checks.body(id: old, person: world.child, notes: "四十天前")
                #expect(try await Self.single(again, token: worker, client: client) == "conflict")
                let fresh = UUID()
                let freshBody = Checks.body(id: fresh, person: world.child, occurred: 120)
                #expect(try await Self.batch([again, freshBody, oldBody], token: worker, client: client) == ["conflict", "created", "duplicate"])
                #expect(try await Self.single(oldBody, token: worker, client: client) == "duplicate")
                #expect(try await Self.single(freshBody, token: worker, client: client) == "duplicate")
                // The same content a few hundred milliseconds off (a client keeping seconds only) is the same check.
                var rounded = freshBody
                rounded["occurredAt"] = try #require(freshBody["occurredAt"] as? String).replacingOccurrences(of: "Z", with: ".400Z")
                #expect(try await Self.batch([rounded], token: worker, client: client) == ["duplicate"])

                // The months back made (as the server's maintenance does): the old check moves into its month.
                let created = try await database.appPool.query("select history_partitions_ensure(3, (now() - interval '3 months')::date) as n")
                    .first?.decode("n", as: Int.self)
                #expect(created == 6, "three months back of each table")
                #expect(try await Self.partition(of: old, database) == Self.month(of: Date().addingTimeInterval(-40 * 86_400)))
                #expect(try await Self.partition(of: fresh, database) == Self.month(of: Date()))
                #expect(try await Self.single(oldBody, token: worker, client: client) == "duplicate")
                again["notes"] = "又一次"
                #expect(try await Self.batch([again, oldBody], token: worker, client: client) == ["conflict", "duplicate"])
                #expect(try await Self.single(again, token: worker, client: client) == "conflict")
                #expect(try await Self.count("select count(*)::int as n from door_check", database) == 2)
                // A check never moves to another month (the key would refuse it there: it would vanish).
                await #expect(throws: DatabaseError.self) {
                    try await database.pool.query("update door_check set occurred_at = occurred_at - interval '20 days' where id = \(old)")
                }
                #expect(try await Self.count("select count(*)::int as n from door_check_key", database) == 2)
                // Whoever inserts, a stored id is not stored again in another month (its key holds the other month's time).
                await #expect(throws: DatabaseError.self) {
                    try await database.pool.query(
                        """
                        insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                            channel, kind, outcome, needs, notes, content_hash)
                        select id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at + interval '20 days',
                            channel, kind, outcome, needs, notes, content_hash
                        from door_check where id = \(old)
                        """
                    )
                }
                #expect(try await Self.count("select count(*)::int as n from door_check", database) == 2)
                #expect(
                    try await Self.count(
                        "select count(*)::int as n from door_check c join door_check_key k on k.id = c.id and k.occurred_at = c.occurred_at",
                        database
                    ) == 2
                )
            }
        }
    }

    @Test("two phones upload overlapping batches at once: each check stored once, the other upload answered duplicate or conflict")
    func overlappingBatches() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let bodies = (0..<30).map { Checks.body(person: world.child, occurred: TimeInterval(100 + $0 * 60)) }
                // The second phone has other notes for the last ten (the same ids: conflicts).
                var other = bodies
                for index in 20..<30 { other[index]["notes"] = "另一部手机" }
                for _ in 0..<3 {
                    let ids = bodies.map { _ in UUID() }
                    var first = bodies
                    var second = other
                    for index in ids.indices {
                        first[index]["id"] = ids[index].uuidString
                        second[index]["id"] = ids[index].uuidString
                    }
                    // Built here and only read by the two uploads.
                    nonisolated(unsafe) let uploadA = first
                    nonisolated(unsafe) let uploadB = Array(second.reversed())
                    async let a = Self.batch(uploadA, token: worker, client: client)
                    async let b = Self.batch(uploadB, token: worker, client: client)
                    let (answersA, answersB) = try await (a, Array(b.reversed()))
                    for index in ids.indices {
                        let pair = [answersA[index], answersB[index]].sorted()
                        #expect(pair == (index < 20 ? ["created", "duplicate"] : ["conflict", "created"]), "\(index): \(pair)")
                    }
                    let stored = try await Self.count("select count(*)::int as n from door_check where id = any(\(ids))", database)
                    let keys = try await Self.count("select count(*)::int as n from door_check_key where id = any(\(ids))", database)
                    #expect(stored == 30 && keys == 30)
                }
            }
        }
    }

    @Test("the application role reaches checks only through the parent and its policies, and claims ids only through door_check_keys_claim")
    func applicationRole() async throws {
        try await TestPostgres.withDatabase { database in
            for sql: SQLQuery in [
                "select count(*) from door_check_key",
                "select count(*) from door_check_default",
                "insert into door_check_key (id, occurred_at) values (gen_random_uuid(), now())",
                "delete from door_check_key",
                // Claims only for a signed-in account.
                "select door_check_keys_claim(array[gen_random_uuid()], array[now()])",
            ] {
                await #expect(throws: DatabaseError.self) { try await database.appPool.query(sql) }
            }
            let month = try #require(
                try await database.pool.query(
                    "select min(c.relname::text) as name from pg_class c where c.relname ~ '^door_check_y[0-9]{4}m[0-9]{2}$'"
                )
                .first?.decode("name", as: String.self)
            )
            await #expect(throws: DatabaseError.self) { try await database.appPool.query("select count(*) from \(identifier: month)") }
            // What a retry's answer runs so that its COMMIT waits for the synchronous standby.
            try await database.appPool.withTransaction { transaction in try await transaction.commitWaitsForStandby() }
        }
    }

    @Test("migration 0031 moves filled door checks into their months; lists, overdue lists, follow-ups and retries answer the same")
    func migratesFilledTable() async throws {
        try await TestPostgres.withDatabase(migrated: false) { database in
            // door_check_targets (0044, as 0048 rewrote it) is what today's server calls for a check, and
            // visit_rule_description (0065) what it reads the overdue list with.
            try await database.migrate(before: 31, with: [44, 48, 65])
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let worker = try await client.login("grid1a.worker")
                let cadre = try await client.login("village1a.cadre")
                let town = try await client.login("town1.admin")
                // Through the API: the child's knock ten days ago and a visit that opened follow-ups, the elder's visit and knock three days ago.
                let retried = Checks.body(person: world.child, occurred: 10 * 86_400, notes: "在家")
                #expect(try await Self.single(retried, token: worker, client: client) == "created")
                #expect(
                    try await Self.single(
                        Checks.body(
                            person: world.child,
                            kind: "cadre_visit",
                            outcome: "needs_follow_up",
                            needs: ["health", "study"],
                            occurred: 50 * 86_400
                        ),
                        token: cadre,
                        client: client
                    ) == "created"
                )
                #expect(
                    try await Self.single(Checks.body(person: world.elder, kind: "cadre_visit", occurred: 3 * 86_400), token: cadre, client: client)
                        == "created"
                )
                #expect(
                    try await Self.single(Checks.body(person: world.elder, kind: "grid_knock", occurred: 3 * 86_400), token: cadre, client: client)
                        == "created"
                )
                #expect(try await Self.single(Checks.body(person: world.other, occurred: 600), token: worker, client: client) == "rejected")
                // Older history, written as the owner: 14 months, 3 months and 40 days back, and one 7 years back; a follow-up of the oldest.
                let cadreAccount = try #require(
                    try await database.pool.query("select id from account where username = 'village1a.cadre'").first?.decode("id", as: UUID.self)
                )
                var oldest = UUID()
                for age in ["14 months", "3 months", "40 days", "7 years"] {
                    let id = UUID()
                    try await database.pool.query(
                        """
                        insert into door_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, received_at,
                            channel, kind, outcome, needs, content_hash)
                        select \(id), p.id, p.unit_id, \(cadreAccount), 'village1a.cadre', 'village_cadre', now() - \(age)::interval,
                            now() - \(age)::interval, 'in_person', 'cadre_visit', 'needs_follow_up', '{safety}', '\\x00'
                        from person p where p.id = \(UUID(uuidString: world.child)!)
                        """
                    )
                    oldest = id
                }
                try await database.pool.query(
                    """
                    insert into follow_up (id, check_id, person_id, unit_id, need, routed_role, status)
                    select gen_random_uuid(), c.id, c.person_id, c.unit_id, 'safety', follow_up_role('safety'), 'open' from door_check c where c.id = \(oldest)
                    """
                )
                let people = [world.child, world.elder]
                var lists: [String: [String]] = [:]
                for person in people { lists[person] = try await Self.checks(of: person, token: cadre, client: client) }
                #expect(lists[world.child]?.count == 6 && lists[world.elder]?.count == 2)
                let overdue = try await Self.overdue(world.fixture.town1.idString, token: town, client: client)
                #expect(
                    overdue.map { $0.components(separatedBy: "|").prefix(2).joined(separator: "/") } == [
                        "甲一/cadre_weekly", "甲一/daily_knock", "李奶奶/daily_knock",
                    ]
                )
                let followUps = try await Self.count("select count(*)::int as n from follow_up", database)
                #expect(followUps == 3)
                let checks = try await Self.count("select count(*)::int as n from door_check", database)
                #expect(checks == 8)

                try await Migrator(catalog: try MigrationCatalog.load(from: try MigrationCatalog.locateDirectory()), logger: TestPostgres.logger)
                    .migrate(pool: database.pool)
                #expect(try await Self.count("select count(*)::int as n from door_check", database) == checks)
                #expect(try await Self.count("select count(*)::int as n from door_check_key", database) == checks)
                #expect(try await Self.count("select count(*)::int as n from follow_up", database) == followUps)
                #expect(
                    try await Self.count(
                        "select count(*)::int as n from follow_up f join door_check c on c.id = f.check_id join door_check_key k on k.id = f.check_id",
                        database
                    ) == followUps
                )
                // The follow-ups' link holds: a check they reference cannot go.
                await #expect(throws: DatabaseError.self) {
                    try await database.pool.query("delete from door_check_key where id = \(oldest)")
                }
                for person in people {
                    #expect(try await Self.checks(of: person, token: cadre, client: client) == lists[person])
                }
                #expect(try await Self.overdue(world.fixture.town1.idString, token: town, client: client) == overdue)
                // Each check in the partition of its China month; the one older than six years in the default one.
                let misplaced = try await Self.count(
                    """
                    select count(*)::int as n from door_check
                    where tableoid::regclass::text <> case when occurred_at < now() - interval '6 years'
                        then 'door_check_default' else 'door_check_y' || to_char(occurred_at at time zone 'Asia/Shanghai', 'YYYY"m"MM') end
                    """,
                    database
                )
                #expect(misplaced == 0)
                #expect(try await Self.count("select count(*)::int as n from door_check_default", database) == 1)
                // Retries of checks from before the migration answer as before; new checks go on.
                #expect(try await Self.single(retried, token: worker, client: client) == "duplicate")
                var changed = retried
                changed["notes"] = "不在家"
                #expect(try await Self.batch([changed, Checks.body(person: world.child)], token: worker, client: client) == ["conflict", "created"])
                #expect(try await Self.count("select count(*)::int as n from door_check", database) == checks.map { $0 + 1 })
            }
        }
    }
}
