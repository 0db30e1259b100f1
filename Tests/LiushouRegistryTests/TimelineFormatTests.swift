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
        String(repeating: "é", count: 3), "abc\u{301}", "ａｂｃ", "abc😀", "abcdefghijklmnopqrstuvwxyz", "klmnopqrstuvwxyz_.",
        "ab`", "ab{", "ab^", "ab|", "ab~", "ab,", "ab@", "ab[", "ab\r", "\ngrid", "a\u{0}b".replacingOccurrences(of: "\u{0}", with: ""),
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
            // A month made after the migration carries the same checks, as every month does.
            _ = try await database.pool.query("select history_partition_create('person_event', '2099-01-01', 'at')")
            do {
                try await database.pool.query(
                    "insert into person_event (id, person_id, at, module, kind, summary) values (\(UUID()), \(person), '2099-01-05', 'grid', 'Bad', '试')"
                )
                Issue.record("a month made after the migration admitted the kind Bad")
            } catch let error as DatabaseError {
                #expect(error.sqlState == "23514" && "\(error)".contains("person_event_kind_format"), "\(error)")
            }
            let months = try await database.pool.query(
                """
                select i.inhrelid::regclass::text as month,
                    count(c.oid) filter (where pg_get_constraintdef(c.oid) like '%ltrim%' and not c.conislocal) as checks
                from pg_inherits i left join pg_constraint c on c.conrelid = i.inhrelid and c.conname like 'person_event_%_format'
                where i.inhparent = 'person_event'::regclass
                group by 1
                """
            )
            #expect(months.count > 2)
            for month in months {
                let name = try month.decode("month", as: String.self)
                #expect(try month.decode("checks", as: Int.self) == 2, "\(name)")
            }
        }
    }
}
