import Foundation
import LiushouAccess
import LiushouPostgres

/// The counties' working-day calendars, which decision deadlines count with (`relief_decision_due`).
extension ReliefCaseStore {
    /// The exception days of `year` in the county of `unitPath`, by date.
    func calendar(countyOf unitPath: String, year: Int, in transaction: PostgresTransaction) async throws -> [ReliefCalendarDay] {
        try await transaction.query(
            """
            select d.day, d.working, d.note from relief_calendar_day d join lateral liushou_unit_brief(d.county_id) c on true
            where c.path = \(ReliefCaseTypes.countyPath(of: unitPath)) and extract(year from d.day) = \(year)
            order by d.day
            """
        ).map { ReliefCalendarDay(day: try $0.decode("day"), working: try $0.decode("working"), note: try $0.decode("note")) }
    }

    /// Sets `days` (sorted by date) in the county's calendar, over what it held for them.
    func setCalendar(county: UUID, days: [ReliefCalendarDay], caller: Caller, in transaction: PostgresTransaction) async throws {
        for day in days {
            try await transaction.query(
                """
                insert into relief_calendar_day (county_id, day, working, note, updated_by)
                values (\(county), \(day.day), \(day.working), \(day.note), \(caller.accountID))
                on conflict (county_id, day) do update
                    set working = excluded.working, note = excluded.note, updated_by = excluded.updated_by, updated_at = now()
                """
            )
        }
    }
}
