import Foundation
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// An obligation rebuilt without a last check starts from the latest check of the person or their
/// household that satisfies its rule and saw the person. Since migration 0046 each side is read
/// newest first and stops at its first match, month by month; these tests hold the answer to a
/// plain query over every stored check.
@Suite("The latest check that starts a rebuilt obligation")
struct LatestCheckLookupTests {
    /// For every obligation of the people: whether its last check is the newest check (by a plain
    /// query over all months) of the person or their household, of the rule's kinds, that saw the
    /// person; with where that newest check came from and how old it is.
    static let comparison: SQLQuery = """
        select o.person_id::text || '/' || o.rule_key as obligation,
            o.last_check_id is not distinct from e.id and o.last_check_at is not distinct from e.occurred_at as same,
            case when e.id is null then 'none' when e.person_id is null then 'household' else 'person' end as source,
            coalesce(extract(day from now() - e.occurred_at)::int, -1) as age_days
        from visit_obligation o
        join person p on p.id = o.person_id
        left join lateral (
            select c.id, c.occurred_at, c.person_id from door_check c
            where (c.person_id = p.id or (p.household_id is not null and c.household_id = p.household_id))
              and c.kind = any (o.check_kinds) and c.outcome in ('all_well', 'needs_follow_up', 'urgent')
            order by c.occurred_at desc limit 1
        ) e on true
        where o.person_id in (select id from lookup_people)
        order by 1
        """

    @Test(
        "checks of every kind and outcome over fourteen months: the rebuild and the one-person refresh start each obligation from the newest that counts"
    )
    func newestThatCounts() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let fixture = world.fixture
                let cadre = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.withTransaction { transaction in
                    _ = try await transaction.query("select history_partitions_ensure(3, (now() - interval '14 months')::date)")
                    let household = try await Checks.household(code: "H-46", address: "甲村 46 号", in: fixture, transaction)
                    let people = [world.child, world.elder].compactMap(UUID.init(uuidString:))
                    #expect(people.count == 2)
                    try await transaction.query("create temporary table lookup_people on commit drop as select unnest(\(people)) as id")
                    try await transaction.query("update person set household_id = \(household) where id = any (\(people))")
                    // 120 checks at distinct hours over 14 months: of the child, of the elder or of their household; of every
                    // kind and outcome (nobody home and away do not count).
                    var generator = SplitMix64(seed: 46)
                    // Each kind with a role that makes it (the table's check); the visitor account does not matter here.
                    let kinds = [
                        ("cadre_visit", "village_cadre"), ("grid_knock", "grid_worker"), ("volunteer_visit", "volunteer"),
                        ("teacher_home_visit", "school_staff"),
                    ]
                    let outcomes = ["all_well", "needs_follow_up", "urgent", "not_home", "away"]
                    var hours = Set<Int>()
                    while hours.count < 120 { hours.insert(Int(generator.next() % 10_000) + 1) }
                    for (index, hour) in hours.sorted().enumerated() {
                        let person: UUID? = index % 3 == 2 ? nil : people[index % 3]
                        // The last 60 days hold knocks and volunteer visits only: a cadre's visit is looked for months back.
                        let (kind, role) = hour < 60 * 24 ? kinds[1 + Int(generator.next() % 2)] : kinds[Int(generator.next() % 4)]
                        try await transaction.query(
                            """
                            with key as (
                                insert into door_check_key (id, occurred_at) values (\(UUID()), now() - make_interval(hours => \(hour)::integer))
                                returning id, occurred_at
                            )
                            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role,
                                occurred_at, channel, kind, outcome, needs, content_hash)
                            select key.id, \(person), \(person == nil ? household : nil), \(fixture.grid1a.id), \(cadre), 'village1a.cadre',
                                \(role), key.occurred_at, 'in_person', \(kind),
                                \(outcomes[Int(generator.next() % 5)]), '{}', '\\x00'
                            from key
                            """
                        )
                    }
                    let months = try await transaction.query(
                        "select count(distinct tableoid)::int as n from door_check where household_id = \(household) or person_id = any (\(people))"
                    ).first?.decode("n", as: Int.self)
                    #expect((months ?? 0) >= 12, "the checks lie in a dozen months or more")

                    let forgotten: SQLQuery = """
                        update visit_obligation set last_check_id = null, last_check_at = null where person_id in (select id from lookup_people)
                        """
                    // The set rebuild, as a move or a rule change calls it.
                    try await transaction.query(forgotten)
                    try await transaction.query("select visit_obligations_rebuild(\(people))")
                    let rebuilt = try await Self.compared(transaction)
                    #expect(rebuilt.count >= 5, "both people have their obligations: \(rebuilt)")
                    #expect(rebuilt.filter { !$0.same }.map(\.obligation) == [])
                    #expect(Set(rebuilt.map(\.source)).isSuperset(of: ["person", "household"]), "\(rebuilt)")
                    #expect(rebuilt.contains { $0.ageDays > 60 }, "some newest check lies months back: \(rebuilt)")
                    // The one-person reference.
                    try await transaction.query(forgotten)
                    for person in people { try await transaction.query("select visit_obligations_refresh(\(person))") }
                    let refreshed = try await Self.compared(transaction)
                    #expect(refreshed.filter { !$0.same }.map(\.obligation) == [])
                    #expect(refreshed.map(\.obligation) == rebuilt.map(\.obligation))
                }
            }
        }
    }

    static func compared(_ transaction: PostgresTransaction) async throws -> [(obligation: String, same: Bool, source: String, ageDays: Int)] {
        try await transaction.query(Self.comparison).map { row in
            (
                try row.decode("obligation", as: String.self), try row.decode("same", as: Bool.self),
                try row.decode("source", as: String.self), try row.decode("age_days", as: Int.self)
            )
        }
    }
}
