import Foundation
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// Changed people and moved units get their obligations rebuilt as a set (`visit_obligations_rebuild`,
/// called by the statement triggers on `person` and `org_unit` and by a rule change's
/// `visit_obligations_refresh_under`); rebuilding each person on their own with
/// `visit_obligations_refresh` must give the same rows. All three run in one transaction from the same
/// state (savepoints), so `now()` is the same for each.
@Suite("Visit obligations of changed people and moved units")
struct ObligationsOfChangedPeopleTests {
    @Test(
        "moves, risk, group, household, exit and reactivation, a unit moved under a town with its own rules: the triggers and a rule refresh give what rebuilding each gives"
    )
    func sameAsRebuildingEach() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let fixture = world.fixture
                let cadre = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.withTransaction { transaction in
                    let household = try await Checks.household(code: "H-8", address: "甲村 8 号", in: fixture, transaction)
                    // The town the village moves under switches daily knocks off and visits its high-risk elders every three days.
                    try await transaction.query(
                        """
                        insert into visit_rule (id, unit_id, rule_key, description, categories, risk_levels, check_kinds, cadence, active) values
                            (gen_random_uuid(), \(fixture.town2.id), 'daily_knock', '本乡不要求每天敲门',
                             array['left_behind_child', 'child_in_difficulty', 'left_behind_woman', 'left_behind_elder'], null,
                             array['grid_knock', 'volunteer_visit'], interval '1 day', false),
                            (gen_random_uuid(), \(fixture.town2.id), 'elder_high_risk', '高风险老人每三天探访',
                             array['left_behind_elder'], array['high'], array['cadre_visit', 'grid_knock'], interval '3 days', true)
                        """
                    )
                    // Twelve copies of each filed person in the grid, numbered 1 to 12, in every risk level by number; copies 9 and 11 exited.
                    try await transaction.query(
                        """
                        create temporary table copies on commit drop as
                        select p.*, r.n as copy from person p cross join generate_series(1, 12) as r (n) where p.status = 'active'
                        """
                    )
                    try await transaction.query(
                        """
                        update copies set id = gen_random_uuid(), id_number_sealed = null, id_number_digest = null, household_id = null,
                            risk_level = (array['normal', 'attention', 'high'])[1 + copy % 3],
                            unit_id = \(fixture.grid1a.id), grid_id = \(fixture.grid1a.id), village_id = \(fixture.village1a.id)
                        """
                    )
                    try await transaction.query("create temporary table people on commit drop as select id, copy as n from copies")
                    try await transaction.query("alter table copies drop column copy")
                    try await transaction.query("insert into person select * from copies")
                    try await transaction.query(
                        """
                        update person set status = 'exited', exit_reason = 'moved_away', exited_on = current_date
                        where id in (select id from people where n in (9, 11))
                        """
                    )
                    // A knock that saw the household three days ago, a nobody-home one since (which does not count), and visits
                    // of some people in their own right two days ago.
                    for (hours, outcome) in [(72, "all_well"), (2, "not_home")] {
                        try await Checks.knock(
                            household: household,
                            hoursAgo: hours,
                            outcome: outcome,
                            unit: fixture.grid1a.id,
                            cadre: cadre,
                            transaction
                        )
                    }
                    try await transaction.query(
                        """
                        with chosen as (
                            select p.id as person_id, gen_random_uuid() as id, now() - interval '48 hours' as occurred_at
                            from people p join person s on s.id = p.id where p.n % 5 = 1 and s.status = 'active'
                        ), key as (
                            insert into door_check_key (id, occurred_at) select id, occurred_at from chosen
                        )
                        insert into door_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, channel, kind,
                            outcome, needs, content_hash)
                        select c.id, c.person_id, \(fixture.grid1a.id), \(cadre), 'village1a.cadre', 'village_cadre', c.occurred_at, 'in_person',
                            'cadre_visit', 'all_well', '{}', '\\x00'
                        from chosen c
                        """
                    )
                    try await transaction.query(
                        """
                        select visit_obligations_satisfy_many(array_agg(id order by id), array_agg(occurred_at order by id))
                        from door_check where person_id in (select id from people)
                        """
                    )

                    let movedVillage = fixture.town2.path + "." + OrgUnit.label(for: fixture.village1b.id)
                    // The changes, each one statement as the application writes them.
                    let changes: [SQLQuery] = [
                        // Into the household the grid worker knocked on (only the household changes).
                        "update person set household_id = \(household) where id in (select id from people where n % 4 = 0)",
                        // Another risk level.
                        """
                        update person set risk_level = case risk_level when 'high' then 'normal' when 'normal' then 'attention' else 'high' end
                        where id in (select id from people where n % 4 = 1)
                        """,
                        // Into another group as well (elders become women too, others elders).
                        """
                        update person set categories = case when 'left_behind_elder' = any (categories) then categories || 'left_behind_woman'::text
                            else categories || 'left_behind_elder'::text end
                        where id in (select id from people where n % 6 = 2)
                        """,
                        // Moved to the other village, which then moves to the other town.
                        """
                        update person set unit_id = \(fixture.village1b.id), grid_id = null, village_id = \(fixture.village1b.id), household_id = null
                        where id in (select id from people where n % 4 = 2)
                        """,
                        // Exited, and reactivated.
                        "update person set status = 'exited', exit_reason = 'deceased', exited_on = current_date where id in (select id from people where n % 7 = 3)",
                        "update person set status = 'active', exit_reason = null, exited_on = null where id in (select id from people where n = 9)",
                        // A name edit, which changes no obligation.
                        "update person set name = name || '新' where id in (select id from people where n % 3 = 0)",
                        // The village moves under the other town, as OrgUnitRepository.move writes it.
                        """
                        update org_unit set updated_at = now(),
                            path = case when id = \(fixture.village1b.id) then \(movedVillage)::ltree
                                        else \(movedVillage)::ltree
                                            || subpath(path, nlevel(\(fixture.village1b.path)::ltree)) end,
                            parent_id = case when id = \(fixture.village1b.id) then \(fixture.town2.id) else parent_id end
                        where path <@ \(fixture.village1b.path)::ltree
                        """,
                    ]
                    let snapshot: SQLQuery = """
                        select o.person_id::text || '/' || o.rule_key || '/' || o.rule_id || '/' || o.unit_id || '/' || o.unit_path::text || '/'
                            || o.check_kinds::text || '/' || o.cadence::text || '/' || coalesce(o.last_check_id::text, '-') || '/'
                            || coalesce(o.last_check_at::text, '-') || '/' || o.next_due_at::text as line
                        from visit_obligation o order by 1
                        """
                    // Ten days pass for the people who will move, unvisited: their visits fall overdue (a move must not postpone them).
                    try await transaction.query(
                        """
                        update visit_obligation set next_due_at = next_due_at - interval '10 days'
                        where last_check_id is null and person_id in (select id from people where n % 4 = 2)
                        """
                    )
                    try await transaction.query(
                        """
                        create temporary table due_before on commit drop as
                        select person_id, rule_key, cadence, next_due_at from visit_obligation
                        where last_check_id is null and person_id in (select id from people where n % 4 = 2)
                        """
                    )
                    let before = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }

                    try await transaction.query("savepoint triggers")
                    for change in changes { try await transaction.query(change) }
                    let triggered = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }
                    let stillOverdue = try await transaction.query(
                        """
                        select count(*)::int as rows, count(*) filter (where o.next_due_at = b.next_due_at)::int as kept,
                            count(*) filter (where o.next_due_at < now())::int as overdue
                        from visit_obligation o join due_before b using (person_id, rule_key, cadence)
                        where o.last_check_id is null
                        """
                    ).first!
                    try await transaction.query("rollback to savepoint triggers")

                    try await transaction.query("alter table person disable trigger person_visit_obligations_update")
                    try await transaction.query("alter table org_unit disable trigger org_unit_visit_obligations_moved")
                    for change in changes { try await transaction.query(change) }
                    // The people the changes touched, and everyone in the moved village, rebuilt on their own (a rebuild keeps a
                    // stored last check, as the triggers do).
                    try await transaction.query("savepoint refreshed")
                    try await transaction.query(
                        """
                        select visit_obligations_refresh(p.id) from person p join org_unit u on u.id = p.unit_id
                        where p.id in (select id from people) or u.path <@ \(movedVillage)::ltree
                        order by p.id
                        """
                    )
                    let rebuilt = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }
                    try await transaction.query("rollback to savepoint refreshed")
                    // Every active person rebuilt on their own, and then by a rule change's refresh of the whole county, as a set.
                    try await transaction.query("select visit_obligations_refresh(id) from person where status = 'active' order by id")
                    let rebuiltAll = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }
                    try await transaction.query("rollback to savepoint refreshed")
                    let refreshed = try await transaction.query("select visit_obligations_refresh_under(\(fixture.county.id)) as n").first!.decode(
                        "n",
                        as: Int.self
                    )
                    let underCounty = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }

                    // Compared as differences, so a failure names the rows that differ.
                    #expect(triggered.difference(from: rebuilt).isEmpty, "\(Self.lines(triggered.difference(from: rebuilt)))")
                    #expect(underCounty.difference(from: rebuiltAll).isEmpty, "\(Self.lines(underCounty.difference(from: rebuiltAll)))")
                    #expect(triggered != before, "the changes changed obligations")
                    let unvisited = try stillOverdue.decode("rows", as: Int.self)
                    #expect(unvisited > 0)
                    #expect(try stillOverdue.decode("kept", as: Int.self) == unvisited, "a move keeps the due dates of unmet visits")
                    #expect(try stillOverdue.decode("overdue", as: Int.self) > 0, "and overdue ones stay overdue")
                    let active = try await transaction.query("select count(*)::int as n from person where status = 'active'").first!.decode(
                        "n",
                        as: Int.self
                    )
                    #expect(refreshed == active)

                    let moved = triggered.filter { $0.contains("/\(fixture.village1b.id.uuidString.lowercased())/") }
                    #expect(!moved.isEmpty)
                    #expect(moved.allSatisfy { $0.contains("/\(movedVillage)/") }, "obligations follow their village to its new path")
                    #expect(!moved.contains { $0.contains("/daily_knock/") }, "the new town switches daily knocks off")
                    #expect(moved.contains { $0.contains("/elder_high_risk/") && $0.contains("/3 days/") }, "and sets its own cadence")
                    let householdStart = try await transaction.query(
                        "select id::text as id from door_check where household_id = \(household) and outcome = 'all_well'"
                    ).first!.decode("id", as: String.self)
                    #expect(
                        triggered.contains { $0.contains("/daily_knock/") && $0.contains("/\(householdStart)/") },
                        "a person put into the household starts from its knock"
                    )
                }
            }
        }
    }

    private static func lines(_ difference: CollectionDifference<String>) -> String {
        difference.map { change in
            switch change {
            case .insert(_, let line, _): "+ " + line
            case .remove(_, let line, _): "- " + line
            }
        }.joined(separator: "\n")
    }
}
