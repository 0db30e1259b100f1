import Foundation
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// A door check's person, household, unit and visitor are checked a statement at a time (migration
/// 0073) and must hold as the foreign keys they replaced held: a missing one refuses the check, a
/// named one is locked until the transaction ends, and a named one is neither deleted nor renumbered.
@Suite("Door checks' references")
struct DoorCheckReferencesTests {
    /// A check written straight into the tables as the owner, with its key.
    static func check(person: UUID?, household: UUID? = nil, unit: UUID, visitor: UUID) -> SQLQuery {
        let id = UUID()
        return """
            with key as (insert into door_check_key (id, occurred_at) values (\(id), date_trunc('second', now())) returning id, occurred_at)
            insert into door_check (id, person_id, household_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at,
                channel, kind, outcome, needs, content_hash)
            select key.id, \(person), \(household), \(unit), \(visitor), '测试', 'village_cadre', key.occurred_at, 'in_person',
                'cadre_visit', 'all_well', '{}', '\\x00'
            from key
            """
    }

    @Test(
        "a check naming a missing person, household, unit or visitor is refused with the key's name; what a check names is locked, kept and not renumbered"
    )
    func references() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let village = fixture.village1a.id
            let cadre = try await database.pool.query("select id from account where username = 'village1a.cadre'").first!.decode("id", as: UUID.self)
            // A person, household and visitor of their own, named by nothing else that could refuse their delete first.
            let person = UUID()
            try await database.pool.query(
                """
                insert into person (id, village_id, unit_id, name, name_grams, name_normalised, sex, birth_date, categories, status,
                    risk_level, file, complete, missing_fields)
                values (\(person), \(village), \(village), '试名', '{试,名,试名}', '试名', 'female', '1950-03-01', '{left_behind_elder}', 'active',
                    'normal', '{}', false, '{}')
                """
            )
            let household = UUID()
            try await database.pool.query(
                "insert into household (id, village_id, unit_id, address) values (\(household), \(village), \(village), '试地址')"
            )
            let visitor = UUID()
            try await database.pool.query(
                """
                insert into account (id, kind, username, display_name, home_unit_id, password_hash)
                select \(visitor), kind, 'checks.test', '测试', home_unit_id, password_hash from account where id = \(cadre)
                """
            )
            let refused: [(SQLQuery, String)] = [
                (Self.check(person: UUID(), unit: village, visitor: cadre), "door_check_person_fkey"),
                (Self.check(person: nil, household: UUID(), unit: village, visitor: cadre), "door_check_household_fkey"),
                (Self.check(person: person, unit: UUID(), visitor: cadre), "door_check_unit_fkey"),
                (Self.check(person: person, unit: village, visitor: UUID()), "door_check_visitor_fkey"),
            ]
            for (query, constraint) in refused {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "door_check")) {
                    try await database.pool.query(query)
                }
            }
            // While a transaction's new check names them, another transaction cannot take the lock a delete needs.
            try await database.pool.withTransaction { transaction in
                try await transaction.query(Self.check(person: nil, household: household, unit: village, visitor: visitor))
                try await transaction.query(Self.check(person: person, unit: village, visitor: cadre))
                for (table, id) in [("household", household), ("account", visitor), ("person", person), ("org_unit", village)] {
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query(SQLQuery(unsafeSQL: "select 1 from \(table) where id = '\(id)' for update nowait"))
                    }
                    #expect(locked?.sqlState == "55P03", "\(table): lock_not_available")
                }
            }
            try await database.pool.query(Self.check(person: person, unit: village, visitor: visitor))
            // A statement of checks in two months naming the same person twice is written; one naming a missing
            // person among them refuses the statement.
            func twoMonths(_ first: UUID, _ second: UUID) -> SQLQuery {
                let (a, b) = (UUID(), UUID())
                return """
                    with key as (
                        insert into door_check_key (id, occurred_at)
                        values (\(a), date_trunc('second', now())), (\(b), date_trunc('month', now()) - interval '1 day')
                        returning id, occurred_at)
                    insert into door_check (id, person_id, unit_id, visitor_account_id, visitor_name, visitor_role, occurred_at, channel,
                        kind, outcome, needs, content_hash)
                    select key.id, case when key.id = \(a) then \(first) else \(second) end, \(village), \(visitor), '测试', 'village_cadre',
                        key.occurred_at, 'in_person', 'cadre_visit', 'all_well', '{}', '\\x00'
                    from key
                    """
            }
            await #expect(throws: DatabaseError.foreignKeyViolation(constraint: "door_check_person_fkey", table: "door_check")) {
                try await database.pool.query(twoMonths(person, UUID()))
            }
            try await database.pool.query(twoMonths(person, person))
            let stored = try await database.pool.query(
                "select count(*)::int as n from door_check where visitor_account_id = \(visitor)"
            ).first!.decode("n", as: Int.self)
            #expect(stored == 4)
            // Changing a stored check's reference to a missing one is refused too (in its month's table, which the error names).
            let changes: [(SQLQuery, String)] = [
                ("update door_check set unit_id = \(UUID()) where visitor_account_id = \(visitor)", "door_check_unit_fkey"),
                ("update door_check set visitor_account_id = \(UUID()) where visitor_account_id = \(visitor)", "door_check_visitor_fkey"),
                ("update door_check set person_id = \(UUID()) where person_id = \(person)", "door_check_person_fkey"),
            ]
            for (change, constraint) in changes {
                let refusal = await #expect(throws: DatabaseError.self) { try await database.pool.query(change) }
                guard case .foreignKeyViolation(let named?, let relation?) = refusal else {
                    Issue.record("\(constraint): \(String(describing: refusal))")
                    continue
                }
                #expect(named == constraint && relation.hasPrefix("door_check"), "\(named) on \(relation)")
            }
            // A named person, household or visitor is neither deleted nor renumbered, and not deleted under REPEATABLE READ.
            let named: [(String, UUID, String)] = [
                ("person", person, "door_check_person_fkey"),
                ("household", household, "door_check_household_fkey"),
                ("account", visitor, "door_check_visitor_fkey"),
            ]
            for (table, id, constraint) in named {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "door_check")) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "delete from \(table) where id = '\(id)'"))
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "door_check")) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "update \(table) set id = '\(UUID())' where id = '\(id)'"))
                }
                let repeatable = await #expect(throws: DatabaseError.self) {
                    try await database.pool.withTransaction { transaction in
                        try await transaction.query("set transaction isolation level repeatable read")
                        try await transaction.query(SQLQuery(unsafeSQL: "delete from \(table) where id = '\(id)'"))
                    }
                }
                #expect(repeatable?.sqlState == "55000", "\(table): object_not_in_prerequisite_state")
            }
            // Once no check names the household, it may go (the key allowed that too).
            try await database.pool.query("delete from door_check where household_id = \(household)")
            try await database.pool.query("delete from household where id = \(household)")
            let left = try await database.pool.query("select count(*)::int as n from household where id = \(household)").first!.decode(
                "n",
                as: Int.self
            )
            #expect(left == 0)
        }
    }
}
