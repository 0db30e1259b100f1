import Foundation
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// A checkup's person, clinic and recording account are checked a statement at a time (migration
/// 0077, its check run first by 0079) and must hold as the foreign keys they replaced held: a
/// missing one refuses the checkup, a named one is locked until the transaction ends, and a named
/// one is neither deleted nor renumbered.
@Suite("Checkups' references")
struct CheckupReferencesTests {
    private struct RolledBack: Error {}

    /// Checkups written straight into the table as the owner, one a person named.
    static func checkups(people: [UUID], clinic: UUID, recordedBy account: UUID, followUp: Bool = false) -> SQLQuery {
        """
        insert into checkup (id, person_id, clinic_id, record_id, checked_on, kind, follow_up_needed, clinician, content_hash, recorded_by)
        select gen_random_uuid(), p.id, \(clinic), 'R-' || gen_random_uuid(), current_date, 'free_clinic', \(followUp), '王医生', '\\x00',
            \(account)
        from unnest(\(people)::uuid[]) as p (id)
        """
    }

    @Test(
        "a checkup naming a missing person, clinic or account is refused with the key's name; what a checkup names is locked, kept and not renumbered"
    )
    func references() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let village = fixture.village1a.id
            let clinic = fixture.clinic1.id
            let doctor = try await database.pool.query("select id from account where username = 'clinic1.doctor'").first!.decode("id", as: UUID.self)
            // Two people and a recording account of their own, named by nothing else that could refuse their delete first.
            let (person, other) = (UUID(), UUID())
            for id in [person, other] {
                try await database.pool.query(
                    """
                    insert into person (id, village_id, unit_id, name, name_grams, name_normalised, sex, birth_date, categories, status,
                        risk_level, file, complete, missing_fields)
                    values (\(id), \(village), \(village), '试名', '{试,名,试名}', '试名', 'female', '1950-03-01', '{left_behind_elder}', 'active',
                        'normal', '{}', false, '{}')
                    """
                )
            }
            // A clinic of its own too (accounts name the fixture's clinic as their home).
            let ownClinic = UUID()
            try await database.pool.query(
                """
                insert into org_unit (id, kind, name, parent_id, path)
                values (\(ownClinic), 'clinic', '试卫生院', \(fixture.town1.id), \(fixture.town1.path + "." + OrgUnit.label(for: ownClinic))::ltree)
                """
            )
            let recorder = UUID()
            try await database.pool.query(
                """
                insert into account (id, kind, username, display_name, home_unit_id, password_hash)
                select \(recorder), kind, 'checkups.test', '测试', home_unit_id, password_hash from account where id = \(doctor)
                """
            )
            // One missing person among several refuses the whole statement, as does a missing clinic or account.
            let refused: [(SQLQuery, String)] = [
                (Self.checkups(people: [person, UUID(), other], clinic: clinic, recordedBy: doctor), "checkup_person_id_fkey"),
                (Self.checkups(people: [person], clinic: UUID(), recordedBy: doctor), "checkup_clinic_id_fkey"),
                // A checkup that needs follow-up raises an alert naming its clinic: the missing clinic is still the checkup's refusal.
                (Self.checkups(people: [person], clinic: UUID(), recordedBy: doctor, followUp: true), "checkup_clinic_id_fkey"),
                (Self.checkups(people: [person], clinic: clinic, recordedBy: UUID()), "checkup_recorded_by_fkey"),
            ]
            for (query, constraint) in refused {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "checkup")) {
                    try await database.pool.query(query)
                }
            }
            #expect(try await Self.count("select count(*)::int as n from checkup", in: database) == 0)
            // While a transaction's new checkups name them, another transaction cannot take the lock a delete needs.
            try await database.pool.withTransaction { transaction in
                try await transaction.query(Self.checkups(people: [person, person, other], clinic: ownClinic, recordedBy: recorder))
                for (table, id) in [("person", person), ("person", other), ("account", recorder), ("org_unit", ownClinic)] {
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query(SQLQuery(unsafeSQL: "select 1 from \(table) where id = '\(id)' for update nowait"))
                    }
                    #expect(locked?.sqlState == "55P03", "\(table): lock_not_available")
                }
            }
            #expect(try await Self.count("select count(*)::int as n from checkup where recorded_by = \(recorder)", in: database) == 3)
            // A reference changed to another that exists locks it, as the key's check did.
            do {
                try await database.pool.withTransaction { transaction in
                    try await transaction.query("update checkup set person_id = \(other) where person_id = \(person)")
                    let locked = await #expect(throws: DatabaseError.self) {
                        try await database.pool.query("select 1 from person where id = \(other) for update nowait")
                    }
                    #expect(locked?.sqlState == "55P03", "the new person: lock_not_available")
                    throw RolledBack()
                }
            } catch is RolledBack {}
            // Changing a stored checkup's reference to a missing one is refused too.
            let changes: [(SQLQuery, String)] = [
                ("update checkup set person_id = \(UUID()) where person_id = \(other)", "checkup_person_id_fkey"),
                ("update checkup set clinic_id = \(UUID()) where recorded_by = \(recorder)", "checkup_clinic_id_fkey"),
                ("update checkup set recorded_by = \(UUID()) where recorded_by = \(recorder)", "checkup_recorded_by_fkey"),
            ]
            for (change, constraint) in changes {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "checkup")) {
                    try await database.pool.query(change)
                }
            }
            // …and to another that exists is not.
            try await database.pool.query("update checkup set person_id = \(person) where person_id = \(other)")
            // A named person, clinic or account is neither deleted nor renumbered, and not deleted under REPEATABLE READ.
            let named: [(String, UUID, String)] = [
                ("person", person, "checkup_person_id_fkey"),
                ("org_unit", ownClinic, "checkup_clinic_id_fkey"),
                ("account", recorder, "checkup_recorded_by_fkey"),
            ]
            // (The dashboard's cached marks of the clinic are keyed to it and would refuse first.)
            try await database.pool.query("delete from dashboard_leaf_cache where unit_id = \(ownClinic)")
            for (table, id, constraint) in named {
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "checkup")) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "delete from \(table) where id = '\(id)'"))
                }
                await #expect(throws: DatabaseError.foreignKeyViolation(constraint: constraint, table: "checkup")) {
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
            // No table a checkup names is truncated while checkups are stored (each refusal names the checkups:
            // the guard that sorts first on its table is 0077's).
            for table in ["person", "org_unit", "account"] {
                let truncated = await #expect(throws: DatabaseError.self) {
                    try await database.pool.query(SQLQuery(unsafeSQL: "truncate \(table) cascade"))
                }
                guard case .foreignKeyViolation(_, let relation) = truncated else {
                    Issue.record("\(table): \(String(describing: truncated))")
                    continue
                }
                #expect(relation == "checkup", "\(table): \(String(describing: relation))")
            }
            // Once no checkup names the account, it may go (the key allowed that too).
            try await database.pool.query("delete from checkup where recorded_by = \(recorder)")
            try await database.pool.query("delete from account where id = \(recorder)")
            #expect(try await Self.count("select count(*)::int as n from account where id = \(recorder)", in: database) == 0)
        }
    }

    static func count(_ query: SQLQuery, in database: TestDatabase) async throws -> Int {
        try await database.pool.query(query).first!.decode("n", as: Int.self)
    }
}
