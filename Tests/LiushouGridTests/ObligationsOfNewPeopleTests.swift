import Foundation
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// New people get their obligations from one set-based statement per inserting statement; building
/// them one person at a time (`visit_obligations_refresh`, kept as the one-person reference) must
/// give the same rows.
@Suite("Visit obligations of people filed together")
struct ObligationsOfNewPeopleTests {
    @Test("people inserted with one statement (every group and risk level, a household knocked on before) get what rebuilding each gives")
    func sameAsRebuildingEach() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let cadre = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode(
                    "id",
                    as: UUID.self
                )
                try await database.pool.withTransaction { transaction in
                    let household = try await Checks.household(code: "H-7", address: "甲村 7 号", in: world.fixture, transaction)
                    // A knock that saw the household's members three days ago, and a nobody-home one since (which does not count).
                    for (hours, outcome) in [(72, "all_well"), (2, "not_home")] {
                        try await Checks.knock(
                            household: household,
                            hoursAgo: hours,
                            outcome: outcome,
                            unit: world.fixture.grid1a.id,
                            cadre: cadre,
                            transaction
                        )
                    }
                    // Copies of the filed people in every risk level, half of them members of the household, one exited.
                    try await transaction.query(
                        """
                        create temporary table new_people on commit drop as
                        select p.* from person p cross join generate_series(1, 3) as r (n) where p.status = 'active'
                        """
                    )
                    try await transaction.query(
                        """
                        update new_people set id = gen_random_uuid(), id_number_sealed = null, id_number_digest = null,
                            risk_level = (array['normal', 'attention', 'high'])[1 + (abs(hashtext(id::text || ctid::text)) % 3)],
                            household_id = case when abs(hashtext(ctid::text)) % 2 = 0 then \(household) end,
                            unit_id = \(world.fixture.grid1a.id), grid_id = \(world.fixture.grid1a.id), village_id = \(world.fixture.village1a.id)
                        """
                    )
                    try await transaction.query(
                        "update new_people set status = 'exited', exit_reason = 'moved_away', exited_on = current_date where ctid = (select min(ctid) from new_people)"
                    )
                    try await transaction.query("insert into person select * from new_people")
                    let snapshot: SQLQuery = """
                        select o.person_id::text || '/' || o.rule_key || '/' || o.rule_id || '/' || o.unit_id || '/' || o.unit_path::text || '/'
                            || o.check_kinds::text || '/' || o.cadence::text || '/' || coalesce(o.last_check_id::text, '-') || '/'
                            || coalesce(o.last_check_at::text, '-') || '/' || o.next_due_at::text as line
                        from visit_obligation o where o.person_id in (select id from new_people) order by 1
                        """
                    let inserted = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }
                    // Built again from nothing, one person at a time (a rebuild keeps a stored last check, so the old rows go first).
                    try await transaction.query("delete from visit_obligation where person_id in (select id from new_people)")
                    try await transaction.query("select visit_obligations_refresh(id) from new_people")
                    let rebuilt = try await transaction.query(snapshot).map { try $0.decode("line", as: String.self) }
                    #expect(inserted == rebuilt)
                    let people = try await transaction.query("select count(*)::int as n from new_people where status = 'active'").first!.decode(
                        "n",
                        as: Int.self
                    )
                    #expect(people >= 8)
                    #expect(inserted.count > people, "every active copy has at least one obligation, elders by their risk level")
                    #expect(
                        inserted.contains { $0.contains("/daily_knock/") && !$0.contains("/-/") },
                        "a household member starts from the household's knock"
                    )
                    let exited = try await transaction.query(
                        """
                        select count(*)::int as n from visit_obligation where person_id in (select id from new_people where status = 'exited')
                        """
                    ).first!.decode("n", as: Int.self)
                    #expect(exited == 0)
                }
            }
        }
    }
}
