import Foundation
import LiushouAPITestSupport
import LiushouPlatform
import LiushouPostgres
import LiushouTestSupport
import Testing

/// A timeline entry's module and kind are checked by the characters they hold (0058): the same
/// entries are admitted and refused as by 0030's regular expressions.
@Suite("Timeline entries: module and kind checked as the regular expressions did")
struct TimelineFormatTests {
    static let candidates: [String] = [
        "", "a", "ab", "abc", "grid", "door_check.cadre_visit", "checkup", "file.created", "a.b", "...", "___", "a_b", "Grid", "gridX",
        "grid1", "grid ", " grid", "grid\n", "grid\nx", "grid\t", "grid-x", "grid/x", "gríd", "网格员", "grid.", ".grid",
        String(repeating: "a", count: 29), String(repeating: "a", count: 30), String(repeating: "a", count: 31),
        String(repeating: "b", count: 59), String(repeating: "b", count: 60), String(repeating: "b", count: 61),
        String(repeating: "é", count: 3), "abc\u{301}", "ａｂｃ", "abc😀",
    ]

    @Test("every candidate module and kind is admitted exactly when the old expression matched it")
    func sameAsTheExpressions() async throws {
        try await TestPostgres.withDatabase { database in
            let fixture = try await PlatformFixture.seed(database)
            let person = UUID()
            try await database.pool.query(
                """
                insert into person (id, village_id, unit_id, name, name_grams, name_normalised, sex, birth_date, categories, status,
                    risk_level, file, complete, missing_fields)
                values (\(person), \(fixture.village1a.id), \(fixture.village1a.id), '试名', '{试,名,试名}', '试名', 'female', '2015-03-01',
                    '{left_behind_child}', 'active', 'normal', '{}', false, '{}')
                """
            )
            var admitted = 0
            for candidate in Self.candidates {
                let expected = try await database.pool.query(
                    "select \(candidate) ~ '^[a-z_]{3,30}$' as module, \(candidate) ~ '^[a-z_.]{3,60}$' as kind"
                ).first!
                for (column, name) in [("module", "person_event_module_format"), ("kind", "person_event_kind_format")] {
                    let module = column == "module" ? candidate : "grid"
                    let kind = column == "kind" ? candidate : "door_check.grid_knock"
                    let insert: SQLQuery = """
                        insert into person_event (id, person_id, module, kind, summary)
                        values (\(UUID()), \(person), \(module), \(kind), '试')
                        """
                    let ok = try expected.decode(column, as: Bool.self)
                    do {
                        try await database.pool.query(insert)
                        #expect(ok, "\(column) \(candidate.debugDescription) admitted; the expression refused it")
                        admitted += 1
                    } catch let error as DatabaseError {
                        #expect(!ok, "\(column) \(candidate.debugDescription) refused; the expression admitted it: \(error)")
                        #expect(error.sqlState == "23514" && "\(error)".contains(name), "refused by \(name): \(error)")
                    }
                }
            }
            #expect(admitted > 10 && admitted < Self.candidates.count * 2)
            // A month made after the migration carries the same checks.
            let later = try await database.pool.query(
                """
                select count(*) as n from pg_constraint
                where conrelid = 'person_event_default'::regclass
                    and pg_get_constraintdef(oid) like '%ltrim%' and conname like 'person_event_%_format'
                """
            ).first!.decode("n", as: Int.self)
            #expect(later == 2)
        }
    }
}
