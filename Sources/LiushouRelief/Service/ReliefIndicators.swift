import Foundation
import LiushouPostgres

/// The dashboard's relief figures for a unit and each unit directly below it (villages of a town,
/// towns of a county), as of a day in China Standard Time.
public struct ReliefIndicators: Sendable {
    /// Open cases of one stage and type.
    public struct OpenCount: Sendable, Codable, Equatable {
        public var state: ReliefState
        public var typeKey: String
        public var count: Int
    }

    /// The figures of one unit (or of the whole, with no unit).
    public struct Figures: Sendable, Codable, Equatable {
        public var unitId: UUID?
        public var unitName: String?
        public var open: Int
        public var overdue: Int
        public var openByStageAndType: [OpenCount]
        /// Decisions (approvals and rejections) taken this year.
        public var decidedThisYear: Int
        public var decidedWithinDeadline: Int
        /// decidedWithinDeadline ÷ decidedThisYear, `nil` with no decision.
        public var shareDecidedWithinDeadline: Double?
        /// From submission (or appeal) to decision, over this year's decisions.
        public var medianDaysToDecision: Double?
        public var grantedThisMonthFen: Int64
        public var grantedThisYearFen: Int64
        public var paidThisMonthFen: Int64
        public var paidThisYearFen: Int64
    }

    public var unitId: UUID
    public var on: LocalDate
    public var total: Figures
    public var units: [Figures]

    /// Computes the figures under `path` as of `day`.
    static func compute(unitID: UUID, path: String, on day: LocalDate, in transaction: PostgresTransaction) async throws -> ReliefIndicators {
        let cases: SQLQuery = """
            cases as (
                select c.*, subpath(u.path, 0, least(nlevel(\(path)::ltree) + 1, nlevel(u.path)))::text as group_path,
                    (c.decided_at at time zone 'Asia/Shanghai')::date as decided_on
                from relief_case c join org_unit u on u.id = c.unit_id where u.path <@ \(path)::ltree)
            """
        var open: [String: [OpenCount]] = [:]
        for row in try await transaction.query(
            """
            with \(cases)
            select coalesce(group_path, '') as group_path, state, type_key, count(*)::int as n from cases
            where state in ('submitted', 'village_reviewed', 'approved', 'paid')
            group by grouping sets ((group_path, state, type_key), (state, type_key)) order by 1, 2, 3
            """
        ) {
            let count = OpenCount(state: try ReliefCaseStore.value(row, "state"), typeKey: try row.decode("type_key"), count: try row.decode("n"))
            open[try row.decode("group_path"), default: []].append(count)
        }
        let rows = try await transaction.query(
            """
            with \(cases), b as (select \(day)::date as d, date_trunc('month', \(day)::date)::date as m, date_trunc('year', \(day)::date)::date as y),
            m as (
                select c.group_path,
                    count(*) filter (where c.state in ('submitted', 'village_reviewed', 'approved', 'paid'))::int as open,
                    count(*) filter (where c.state in ('submitted', 'village_reviewed') and c.decision_due_at < now())::int as overdue,
                    count(*) filter (where c.decided_on between b.y and b.d)::int as decided,
                    count(*) filter (where c.decided_on between b.y and b.d and c.decided_at <= c.decision_due_at)::int as in_time,
                    round((percentile_cont(0.5) within group (order by extract(epoch from c.decided_at - c.decision_clock_from)::float8 / 86400)
                        filter (where c.decided_on between b.y and b.d))::numeric, 1)::float8 as median_days,
                    coalesce(sum(c.amount_granted_fen) filter (where c.decided_on between b.m and b.d), 0)::bigint as granted_month,
                    coalesce(sum(c.amount_granted_fen) filter (where c.decided_on between b.y and b.d), 0)::bigint as granted_year,
                    coalesce(sum(c.paid_amount_fen) filter (where c.paid_on between b.m and b.d), 0)::bigint as paid_month,
                    coalesce(sum(c.paid_amount_fen) filter (where c.paid_on between b.y and b.d), 0)::bigint as paid_year
                from cases c cross join b
                group by grouping sets ((c.group_path), ()))
            select m.*, g.id as group_id, g.name as group_name from m left join org_unit g on g.path::text = m.group_path
            order by m.group_path nulls first
            """
        )
        var total: Figures?
        var units: [Figures] = []
        for row in rows {
            let group = try row.decode("group_path", as: String?.self)
            let decided = try row.decode("decided", as: Int.self)
            let inTime = try row.decode("in_time", as: Int.self)
            let figures = Figures(
                unitId: group == nil ? unitID : try row.decode("group_id"),
                unitName: try row.decode("group_name"),
                open: try row.decode("open"),
                overdue: try row.decode("overdue"),
                openByStageAndType: open[group ?? ""] ?? [],
                decidedThisYear: decided,
                decidedWithinDeadline: inTime,
                shareDecidedWithinDeadline: decided == 0 ? nil : (Double(inTime) / Double(decided) * 10_000).rounded() / 10_000,
                medianDaysToDecision: try row.decode("median_days"),
                grantedThisMonthFen: try row.decode("granted_month"),
                grantedThisYearFen: try row.decode("granted_year"),
                paidThisMonthFen: try row.decode("paid_month"),
                paidThisYearFen: try row.decode("paid_year")
            )
            if group == nil { total = figures } else { units.append(figures) }
        }
        let empty = Figures(
            unitId: unitID,
            unitName: nil,
            open: 0,
            overdue: 0,
            openByStageAndType: [],
            decidedThisYear: 0,
            decidedWithinDeadline: 0,
            shareDecidedWithinDeadline: nil,
            medianDaysToDecision: nil,
            grantedThisMonthFen: 0,
            grantedThisYearFen: 0,
            paidThisMonthFen: 0,
            paidThisYearFen: 0
        )
        return ReliefIndicators(unitId: unitID, on: day, total: total ?? empty, units: units)
    }
}

extension ReliefIndicators: Codable, Equatable {}
