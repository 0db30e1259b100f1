import Foundation
import LiushouPostgres

/// Sums volunteer visits into service hours, and reads the pairing rate, under row-level security.
enum ServiceHoursStore {
    /// A volunteer's hours by month of a year (China time).
    static func hours(of volunteer: UUID, year: Int, in transaction: PostgresTransaction) async throws -> VolunteerHours {
        let months = try await transaction.query(
            """
            select to_char(vv.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, null::text as organisation,
                count(*)::int as visits, sum(vv.duration_minutes)::int as minutes, null::int as volunteers
            from volunteer_visit vv
            where vv.volunteer_id = \(volunteer) and extract(year from vv.occurred_at at time zone 'Asia/Shanghai') = \(year)
            group by 1 order by 1
            """
        ).map(Self.month)
        return VolunteerHours(volunteerId: volunteer, year: year, totalMinutes: months.reduce(0) { $0 + $1.minutes }, months: months)
    }

    /// Hours served to people of the unit at `path`, by month and the volunteers' organisation.
    static func months(under path: String, year: Int, in transaction: PostgresTransaction) async throws -> [ServiceMonth] {
        try await transaction.query(
            """
            select to_char(vv.occurred_at at time zone 'Asia/Shanghai', 'YYYY-MM') as month, v.organisation,
                count(*)::int as visits, sum(vv.duration_minutes)::int as minutes, count(distinct vv.volunteer_id)::int as volunteers
            from volunteer_visit vv join volunteer v on v.id = vv.volunteer_id
            -- The visit and its check are the same instant: only that month of door_check is read.
            join door_check c on c.id = vv.check_id
                and c.occurred_at between vv.occurred_at - interval '1 second' and vv.occurred_at + interval '1 second'
            where extract(year from vv.occurred_at at time zone 'Asia/Shanghai') = \(year)
              and exists (select from liushou_unit_brief(c.unit_id) b where b.path::ltree <@ \(path)::ltree)
            group by 1, 2 order by 1, 2
            """
        ).map(Self.month)
    }

    /// The pairing rate of a unit and its child units (`pairing_rate`).
    static func rates(of unit: UUID, in transaction: PostgresTransaction) async throws -> [PairingRate] {
        try await transaction.query("select unit_id, unit_name, paired::int, people::int from pairing_rate(\(unit))").map { row in
            let paired = try row.decode("paired", as: Int.self)
            let people = try row.decode("people", as: Int.self)
            return PairingRate(
                unitId: try row.decode("unit_id"),
                unitName: try row.decode("unit_name"),
                paired: paired,
                people: people,
                rate: people == 0 ? nil : (Double(paired) / Double(people) * 10_000).rounded() / 10_000
            )
        }
    }

    static func month(_ row: PostgresRow) throws -> ServiceMonth {
        let minutes = try row.decode("minutes", as: Int.self)
        return ServiceMonth(
            month: try row.decode("month"),
            organisation: try row.decode("organisation"),
            visits: try row.decode("visits"),
            minutes: minutes,
            hours: String(format: "%d.%02d", minutes / 60, (minutes % 60) * 100 / 60),
            volunteers: try row.decode("volunteers")
        )
    }
}
