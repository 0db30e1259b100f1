import Foundation
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// A person's village, grid, school, household and accounts are checked a statement at a time
/// (migration 0071) and must hold as the foreign keys they replaced held: a missing one refuses the
/// row, a named one is locked until the transaction ends, and a named one is neither deleted nor
/// given another id.
@Suite("A person's references")
struct PersonReferencesTests {
    /// A person of `village` (grid `grid` when set) written straight into the table as the owner.
    static func insert(
        _ id: UUID,
        village: UUID,
        grid: UUID? = nil,
        school: UUID? = nil,
        household: UUID? = nil,
        filledBy: UUID? = nil,
        checkedBy: UUID? = nil
    ) -> SQLQuery {
        """
        insert into person (id, village_id, grid_id, unit_id, school_id, household_id, filled_by, checked_by, name, name_grams,
            name_normalised, sex, birth_date, categories, status, risk_level, file, complete, missing_fields)
        values (\(id), \(village), \(grid), coalesce(\(grid), \(village)), \(school), \(household), \(filledBy), \(checkedBy), '试名',
            '{试,名,试名}', '试名', 'female', '2015-03-01', '{left_behind_child}', 'active', 'normal', '{}', false, '{}')
        """
    }

    static func household(_ id: UUID, village: UUID) -> SQLQuery {
        "insert into household (id, village_id, unit_id, address) values (\(id), \(village), \(village), '试地址')"
    }

    @Test("a person naming a missing unit, household or account is refused with the key's name, alone or in a set; valid ones are written")
    func missingReferences() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let account = try await database.pool.query("select id from account order by username limit 1").first!.decode("id", as: UUID.self)
            let household = UUID()
            try await database.pool.query(Self.household(household, village: fixture.village1a.id))
            let village = fixture.village1a.id
            let refused: [(SQLQuery, String)] = [
                (Self.insert(UUID(), village: UUID()), "person_village_id_fkey"),
                (Self.insert(UUID(), village: village, grid: UUID()), "person_grid_id_fkey"),
                (Self.insert(UUID(), village: village, school: UUID()), "person_school_id_fkey"),
                (Self.insert(UUID(), village: village, household: UUID()), "person_household_id_fkey"),
                (Self.insert(UUID(), village: village, filledBy: UUID()), "person_filled_by_fkey"),
                (Self.insert(UUID(), village: village, checkedBy: UUID()), "person_checked_by_fkey"),
            ]
            for (query, constraint) in refused {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "person")) {
                    try await database.pool.query(query)
                }
            }
            // In a set, one missing household among valid rows refuses the statement.
            let valid = UUID()
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_household_id_fkey", table: "person")) {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query(Self.insert(valid, village: village, household: household, filledBy: account))
                    // Two copies of it with new ids, one of them naming a household that does not exist.
                    try await transaction.query("create temporary table copies on commit drop as select * from person where id = \(valid)")
                    try await transaction.query("insert into copies select * from copies")
                    try await transaction.query("update copies set id = gen_random_uuid()")
                    try await transaction.query("update copies set household_id = gen_random_uuid() where ctid = (select min(ctid) from copies)")
                    try await transaction.query("insert into person select * from copies")
                }
            }
            // A set naming the same household and account twice, and no grid, school or checker, is written (with the
            // one it was copied from, three such people).
            let first = UUID()
            try await database.pool.withTransaction { transaction in
                try await transaction.query(Self.insert(first, village: village, household: household, filledBy: account))
                try await transaction.query("create temporary table twins on commit drop as select * from person where id = \(first)")
                try await transaction.query("insert into twins select * from twins")
                try await transaction.query("update twins set id = gen_random_uuid()")
                try await transaction.query("insert into person select * from twins")
            }
            let twins = try await database.pool.query(
                "select count(*)::int as n from person where household_id = \(household) and filled_by = \(account) and grid_id is null"
            ).first!.decode("n", as: Int.self)
            #expect(twins == 3)
            // Changing a stored person's reference to a missing one is refused as well; to an existing one it is not.
            let stored = UUID()
            try await database.pool.query(
                Self.insert(stored, village: village, grid: fixture.grid1a.id, school: fixture.school1.id, household: household, filledBy: account)
            )
            let (otherVillage, otherGrid) = (UUID(), UUID())
            let changes: [(SQLQuery, String)] = [
                (
                    "update person set village_id = \(otherVillage), grid_id = null, unit_id = \(otherVillage) where id = \(stored)",
                    "person_village_id_fkey"
                ),
                ("update person set grid_id = \(otherGrid), unit_id = \(otherGrid) where id = \(stored)", "person_grid_id_fkey"),
                ("update person set school_id = \(UUID()) where id = \(stored)", "person_school_id_fkey"),
                ("update person set household_id = \(UUID()) where id = \(stored)", "person_household_id_fkey"),
                ("update person set filled_by = \(UUID()) where id = \(stored)", "person_filled_by_fkey"),
                ("update person set checked_by = \(UUID()) where id = \(stored)", "person_checked_by_fkey"),
            ]
            for (change, constraint) in changes {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "person")) {
                    try await database.pool.query(change)
                }
            }
            try await database.pool.query("update person set checked_by = \(account), household_id = null where id = \(stored)")
            let written = try await database.pool.query(
                "select count(*)::int as n from person where id = \(stored) and checked_by = \(account) and grid_id = \(fixture.grid1a.id)"
            ).first!.decode("n", as: Int.self)
            #expect(written == 1)
        }
    }

    @Test("what a new person names is locked until the transaction ends; a named unit, household or account is neither deleted nor renumbered")
    func referencedRowsKept() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let account = try await database.pool.query("select id from account order by username limit 1").first!.decode("id", as: UUID.self)
            // Units, a household and accounts of their own, named by one person only (no grant, no other unit's parent).
            func unit(_ id: UUID, kind: String, under parent: UUID) -> SQLQuery {
                """
                insert into org_unit (id, kind, name, parent_id, path)
                select \(id), \(kind), '测试' || \(kind), id, path || ('u' || replace(\(id)::text, '-', ''))::ltree
                from org_unit where id = \(parent)
                """
            }
            let (village, school, grid) = (UUID(), UUID(), UUID())
            try await database.pool.query(unit(village, kind: "village", under: fixture.town1.id))
            try await database.pool.query(unit(school, kind: "school", under: fixture.town1.id))
            try await database.pool.query(unit(grid, kind: "grid", under: fixture.village1a.id))
            let household = UUID()
            try await database.pool.query(Self.household(household, village: fixture.village1a.id))
            let (filler, checker) = (UUID(), UUID())
            for (id, name) in [(filler, "refs.filler"), (checker, "refs.checker")] {
                try await database.pool.query(
                    """
                    insert into account (id, kind, username, display_name, home_unit_id, password_hash)
                    select \(id), kind, \(name), '测试', home_unit_id, password_hash from account where id = \(account)
                    """
                )
            }
            // While a transaction's new person names them, another transaction cannot take the lock a delete needs
            // (the person's obligations lock its village, not its school).
            let person = UUID()
            try await database.pool.withTransaction { transaction in
                try await transaction.query(
                    Self.insert(person, village: village, school: school, household: household, filledBy: filler, checkedBy: checker)
                )
                for (table, id) in [("household", household), ("account", filler), ("account", checker), ("org_unit", school)] {
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query(SQLQuery(unsafeSQL: "select 1 from \(table) where id = '\(id)' for update nowait"))
                    }
                    #expect(locked?.sqlState == "55P03", "\(table) \(id): lock_not_available")
                }
            }
            try await database.pool.query("update person set grid_id = \(grid), unit_id = \(grid) where id = \(person)")
            // The person's obligations and the dashboard's cache lines name the units too; they go, to leave the person alone.
            try await database.pool.query("delete from visit_obligation where person_id = \(person)")
            try await database.pool.query("delete from dashboard_leaf_cache where unit_id in (\(grid), \(village), \(school))")
            let named: [(String, UUID, String)] = [
                ("org_unit", village, "person_village_id_fkey"),
                ("org_unit", grid, "person_grid_id_fkey"),
                ("org_unit", school, "person_school_id_fkey"),
                ("household", household, "person_household_id_fkey"),
                ("account", filler, "person_filled_by_fkey"),
                ("account", checker, "person_checked_by_fkey"),
            ]
            for (table, id, constraint) in named {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "person")) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "delete from \(table) where id = '\(id)'"))
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "person")) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "update \(table) set id = '\(UUID())' where id = '\(id)'"))
                }
            }
            // A delete that could not see a person committed meanwhile (REPEATABLE READ) is refused (a unit's is
            // refused so by 0069 already).
            for (table, id) in [("household", household), ("account", filler)] {
                let repeatable = await #expect(throws: DatabaseError.self) {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query("set transaction isolation level repeatable read")
                        try await transaction.query(SQLQuery(unsafeSQL: "delete from \(table) where id = '\(id)'"))
                    }
                }
                #expect(repeatable?.sqlState == "55000", "\(table): object_not_in_prerequisite_state")
            }
            for table in ["household", "account"] {
                let truncated = await #expect(throws: DatabaseError.self) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "truncate \(table) cascade"))
                }
                guard case .foreignKeyViolation(_, let relation) = truncated else {
                    Issue.record("\(table): \(String(describing: truncated))")
                    continue
                }
                // No door check names them: the refusal is 0071's.
                #expect(relation == "person", "\(table): \(String(describing: relation))")
            }
            // Once no one names them, they may go (the keys allowed that too); the dashboard's lines, which the
            // person's delete touched again, first.
            try await database.pool.query("delete from person where id = \(person)")
            try await database.pool.query("delete from dashboard_leaf_cache where unit_id in (\(grid), \(village), \(school))")
            try await database.pool.query("delete from household where id = \(household)")
            try await database.pool.query("delete from org_unit where id in (\(grid), \(school))")
            let left = try await database.pool.query(
                """
                select (select count(*) from household where id = \(household))::int
                    + (select count(*) from org_unit where id in (\(grid), \(school)))::int as n
                """
            ).first!.decode("n", as: Int.self)
            #expect(left == 0)
        }
    }

    @Test(
        "a history or timeline row naming a missing person is refused with the key's name; it locks its person; a named person is neither deleted nor renumbered"
    )
    func historyAndTimeline() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let account = try await database.pool.query("select id from account order by username limit 1").first!.decode("id", as: UUID.self)
            let person = UUID()
            try await database.pool.query(Self.insert(person, village: fixture.village1a.id))
            func history(_ person: UUID) -> SQLQuery {
                """
                insert into person_change (person_id, change_id, account_id, account_name, action, field, old_value, new_value)
                values (\(person), \(UUID()), \(account), '测试', 'update', 'name', '甲', '乙')
                """
            }
            // Timeline rows of two months in one statement, one of them naming no one.
            func timeline(_ first: UUID, _ second: UUID) -> SQLQuery {
                """
                insert into person_event (id, person_id, at, module, kind, summary)
                values (\(UUID()), \(first), now(), 'registry', 'file.updated', '试'),
                    (\(UUID()), \(second), now() - interval '40 days', 'registry', 'file.updated', '试')
                """
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_change_person_id_fkey", table: "person_change")) {
                try await database.pool.query(history(UUID()))
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_event_person_fkey", table: "person_event")) {
                try await database.pool.query(timeline(person, UUID()))
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_event_person_fkey", table: "person_event")) {
                try await database.pool.query(timeline(UUID(), person))
            }
            // While a transaction's new rows name the person, another transaction cannot take the lock a delete needs.
            for (label, write) in [("history", history(person)), ("timeline", timeline(person, person))] {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query(write)
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query("select 1 from person where id = \(person) for update nowait")
                    }
                    #expect(locked?.sqlState == "55P03", "\(label): lock_not_available")
                }
            }
            let changes: [(SQLQuery, String, String)] = [
                ("update person_change set person_id = \(UUID()) where person_id = \(person)", "person_change_person_id_fkey", "person_change"),
                ("update person_event set person_id = \(UUID()) where person_id = \(person)", "person_event_person_fkey", "person_event"),
                // Moved into the month before as well (made two months back): a delete and an insert, which fire no AFTER
                // UPDATE trigger.
                (
                    """
                    update person_event set person_id = \(UUID()), at = date_trunc('month', at) - interval '1 day'
                    where person_id = \(person) and at > now() - interval '1 day'
                    """,
                    "person_event_person_fkey", "person_event"
                ),
            ]
            // (A timeline row is checked in its month's table, which the error names, as the key's did.)
            for (change, constraint, table) in changes {
                let refused = await #expect(throws: DatabaseError.self) { try await database.pool.query(change) }
                guard case .foreignKeyViolation(let named?, let relation?) = refused else {
                    Issue.record("\(table): \(String(describing: refused))")
                    continue
                }
                #expect(named == constraint && relation.hasPrefix(table), "\(named) on \(relation)")
            }
            // The person's obligations go first: they name the person too.
            try await database.pool.query("delete from visit_obligation where person_id = \(person)")
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_change_person_id_fkey", table: "person_change")) {
                try await database.pool.query("delete from person where id = \(person)")
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_change_person_id_fkey", table: "person_change")) {
                try await database.pool.query("update person set id = \(UUID()) where id = \(person)")
            }
            try await database.pool.query("delete from person_change where person_id = \(person)")
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "person_event_person_fkey", table: "person_event")) {
                try await database.pool.query("delete from person where id = \(person)")
            }
            let repeatable = await #expect(throws: DatabaseError.self) {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("set transaction isolation level repeatable read")
                    try await transaction.query("delete from person where id = \(person)")
                }
            }
            #expect(repeatable?.sqlState == "55000", "object_not_in_prerequisite_state")
            // (No obligation or door check is left: the refusal is the timeline's.)
            let truncated = await #expect(throws: DatabaseError.self) {
                try await database.pool.query("truncate person cascade")
            }
            guard case .foreignKeyViolation(_, "person_event") = truncated else {
                Issue.record("truncate: \(String(describing: truncated))")
                return
            }
            // Once nothing names the person, the person may go (the keys allowed that too).
            try await database.pool.query("delete from person_event where person_id = \(person)")
            try await database.pool.query("delete from person where id = \(person)")
            let left = try await database.pool.query("select count(*)::int as n from person where id = \(person)").first!.decode("n", as: Int.self)
            #expect(left == 0)
        }
    }
}
