import Foundation
import HummingbirdTesting
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// An obligation's person, rule and unit are checked a statement at a time (migration 0069) and
/// must hold as the foreign keys they replaced held: a missing one refuses the row, a named one is
/// locked until the transaction ends, and a named one is neither deleted nor given another id.
@Suite("Visit obligations' references")
struct ObligationReferencesTests {
    @Test("an obligation naming a missing person, rule or unit is refused with the key's name; a valid one is written")
    func missingReferences() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let stored = try await database.pool.query(
                    "select rule_id, unit_id from visit_obligation where person_id = \(UUID(uuidString: world.child)!) limit 1"
                ).first!
                let rule = try stored.decode("rule_id", as: UUID.self)
                let unit = try stored.decode("unit_id", as: UUID.self)
                let person = UUID(uuidString: world.elder)!
                func insert(person: UUID, rule: UUID, unit: UUID, key: String) -> SQLQuery {
                    """
                    insert into visit_obligation (person_id, rule_key, rule_id, unit_id, unit_path, check_kinds, cadence, next_due_at)
                    select \(person), \(key), \(rule), \(unit), u.path, '{cadre_visit}', interval '7 days', now()
                    from org_unit u where u.id = \(world.fixture.village1a.id)
                    """
                }
                for (query, constraint) in [
                    (insert(person: UUID(), rule: rule, unit: unit, key: "test_a"), "visit_obligation_person_id_fkey"),
                    (insert(person: person, rule: UUID(), unit: unit, key: "test_b"), "visit_obligation_rule_id_fkey"),
                    (insert(person: person, rule: rule, unit: UUID(), key: "test_c"), "visit_obligation_unit_id_fkey"),
                ] {
                    await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "visit_obligation")) {
                        try await database.pool.query(query)
                    }
                }
                // Changing a stored row's rule, unit or person to a missing one is refused as well.
                let changes: [(SQLQuery, String)] = [
                    ("update visit_obligation set rule_id = \(UUID()) where person_id = \(person)", "visit_obligation_rule_id_fkey"),
                    ("update visit_obligation set unit_id = \(UUID()) where person_id = \(person)", "visit_obligation_unit_id_fkey"),
                    ("update visit_obligation set person_id = \(UUID()) where person_id = \(person)", "visit_obligation_person_id_fkey"),
                ]
                for (change, constraint) in changes {
                    await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "visit_obligation")) {
                        try await database.pool.query(change)
                    }
                }
                try await database.pool.query(insert(person: person, rule: rule, unit: unit, key: "test_d"))
                let count = try await database.pool.query(
                    "select count(*)::int as n from visit_obligation where person_id = \(person) and rule_key = 'test_d'"
                ).first!.decode("n", as: Int.self)
                #expect(count == 1)
            }
        }
    }

    @Test("the person an uncommitted obligation names is locked against deletion; a named person, rule or unit is neither deleted nor renumbered")
    func referencedRowsKept() async throws {
        try await TestPostgres.withDatabase { database in
            try await PlatformApp.make(database).test(.router) { client in
                let world = try await GridWorld.make(database, client: client)
                let child = UUID(uuidString: world.child)!
                // A copy of the child written straight into the table (no history row names it): only its
                // obligations keep it.
                let copy = UUID()
                try await database.pool.query(
                    """
                    insert into person (id, village_id, grid_id, unit_id, household_id, name, name_grams, name_normalised, sex, birth_date,
                        categories, status, school_stage, school_id, guardianship_type, no_capable_guardian, risk_level, file, complete,
                        missing_fields, version, created_at, updated_at)
                    select \(copy), village_id, grid_id, unit_id, null, name, name_grams, name_normalised, sex, birth_date, categories, status,
                        school_stage, school_id, guardianship_type, no_capable_guardian, risk_level, file, complete, missing_fields, 1, now(), now()
                    from person where id = \(child)
                    """
                )
                let obligations = try await database.pool.query(
                    "select count(*)::int as n from visit_obligation where person_id = \(copy)"
                ).first!.decode("n", as: Int.self)
                #expect(obligations > 0)
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_person_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("delete from person where id = \(copy)")
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_person_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("update person set id = \(UUID()) where id = \(copy)")
                }
                let rule = try await database.pool.query("select rule_id from visit_obligation where person_id = \(copy) limit 1").first!
                    .decode("rule_id", as: UUID.self)
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_rule_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("delete from visit_rule where id = \(rule)")
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_rule_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("update visit_rule set id = \(UUID()) where id = \(rule)")
                }
                // A new grid that only an obligation names.
                let grid = UUID()
                try await database.pool.query(
                    """
                    insert into org_unit (id, kind, name, parent_id, path)
                    select \(grid), 'grid', '测试组', id, path || ('u' || replace(\(grid)::text, '-', ''))::ltree
                    from org_unit where id = \(world.fixture.village1a.id)
                    """
                )
                try await database.pool.query(
                    """
                    update visit_obligation set unit_id = \(grid) where person_id = \(copy) and rule_key = (
                        select min(rule_key) from visit_obligation where person_id = \(copy))
                    """
                )
                // The dashboard's cache line for the new grid names it too; it goes, to leave the obligation alone.
                try await database.pool.query("delete from dashboard_leaf_cache where unit_id = \(grid)")
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_unit_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("update org_unit set id = \(UUID()) where id = \(grid)")
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "visit_obligation_unit_id_fkey", table: "visit_obligation")) {
                    try await database.pool.query("delete from org_unit where id = \(grid)")
                }
                // While a transaction's new obligation names the child, another transaction cannot take the
                // lock a delete needs (as with the key's `for key share`).
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("delete from visit_obligation where person_id = \(copy)")
                    try await transaction.query("select visit_obligations_refresh(\(copy))")
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query("select 1 from person where id = \(copy) for update nowait")
                    }
                    #expect(locked?.sqlState == "55P03", "lock_not_available")
                    try await transaction.query("select 1")
                }
                // A delete that could not see an obligation committed meanwhile (REPEATABLE READ) is refused, and
                // so is emptying a table an obligation names.
                let repeatable = await #expect(throws: DatabaseError.self) {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query("set transaction isolation level repeatable read")
                        try await transaction.query("delete from visit_rule where id = \(rule)")
                    }
                }
                #expect(repeatable?.sqlState == "55000", "object_not_in_prerequisite_state")
                for table in ["visit_rule", "org_unit", "person"] {
                    let truncated = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query(SQLQuery(unsafeSQL: "truncate \(table) cascade"))
                    }
                    #expect(truncated?.sqlState == "23503", "\(table)")
                }
                // Once nothing names it, the copy may go (the keys allowed that too).
                try await database.pool.query("delete from visit_obligation where person_id = \(copy)")
                try await database.pool.query("delete from person where id = \(copy)")
                let left = try await database.pool.query("select count(*)::int as n from person where id = \(copy)").first!.decode(
                    "n",
                    as: Int.self
                )
                #expect(left == 0)
            }
        }
    }
}
