import Foundation
import LiushouPostgres

/// The legal-aid indicators of a unit and each active unit directly below it, for cases opened in
/// a period (China dates), computed under the caller's row-level security.
///
/// - aid rate: eligible cases involving a left-behind child that were assigned (received aid) ÷
///   eligible such cases, leaving out those withdrawn before any assignment; target 100 %.
/// - median days from intake to assignment, over assigned cases.
/// - cases by matter and stage.
public struct LegalIndicators: Sendable, Codable, Equatable {
    /// One unit's figures.
    public struct Unit: Sendable, Codable, Equatable {
        public var unitId: UUID
        public var unitName: String
        public var cases: Int
        public var eligibleChildCases: Int
        public var aidedChildCases: Int
        /// aided ÷ eligible, 4 places; null without eligible cases.
        public var aidRate: Double?
        public var medianDaysToAssignment: Double?
        public var byMatterAndStage: [Count]
    }

    /// Cases of one matter in one stage.
    public struct Count: Sendable, Codable, Equatable {
        public var matter: String
        public var stage: LegalStage
        public var cases: Int
    }

    public var unitId: UUID
    public var from: LocalDate
    public var to: LocalDate
    public var target: Double
    public var items: [Unit]

    static func compute(unit: UUID, from: LocalDate, to: LocalDate, in transaction: PostgresTransaction) async throws -> LegalIndicators {
        let scope: SQLQuery = """
            with units as (
                select u.id, u.name, u.path from org_unit u where u.id = \(unit)
                union all
                select c.id, c.name, c.path from org_unit c where c.parent_id = \(unit) and c.active and c.kind in ('town', 'village', 'grid')
            ),
            cases as (
                select k.id, k.stage, m.code as matter, d.decision, d.outcome, d.involves_left_behind_child as child, d.assigned_at, k.opened_at,
                    ku.path
                from legal_case k join legal_case_detail d on d.case_id = k.id join legal_matter m on m.id = d.matter_id
                    join org_unit ku on ku.id = k.unit_id
                where (k.opened_at at time zone 'Asia/Shanghai')::date between \(from) and \(to)
            )
            """
        var counts: [UUID: [Count]] = [:]
        for row in try await transaction.query(
            """
            \(scope)
            select u.id, k.matter, k.stage, count(*)::int as cases from units u join cases k on k.path <@ u.path
            group by u.id, k.matter, k.stage order by u.id, k.matter, k.stage
            """
        ) {
            counts[try row.decode("id"), default: []].append(
                Count(
                    matter: try row.decode("matter"),
                    stage: LegalStage(rawValue: try row.decode("stage")) ?? .intake,
                    cases: try row.decode("cases")
                )
            )
        }
        let items = try await transaction.query(
            """
            \(scope)
            select u.id, u.name, count(k.id)::int as cases,
                count(k.id) filter (where k.child and k.decision = 'eligible' and (k.outcome is distinct from 'withdrawn' or k.assigned_at is not null))::int as eligible,
                count(k.id) filter (where k.child and k.decision = 'eligible' and k.assigned_at is not null)::int as aided,
                (percentile_cont(0.5) within group (order by extract(epoch from k.assigned_at - k.opened_at) / 86400)
                    filter (where k.assigned_at is not null))::float8 as median_days
            from units u left join cases k on k.path <@ u.path
            group by u.id, u.name, u.path
            order by u.id = \(unit) desc, u.name
            """
        ).map { row in
            let id = try row.decode("id", as: UUID.self)
            let eligible = try row.decode("eligible", as: Int.self)
            let aided = try row.decode("aided", as: Int.self)
            return Unit(
                unitId: id,
                unitName: try row.decode("name"),
                cases: try row.decode("cases"),
                eligibleChildCases: eligible,
                aidedChildCases: aided,
                aidRate: eligible == 0 ? nil : (Double(aided) / Double(eligible) * 10_000).rounded() / 10_000,
                medianDaysToAssignment: try row.decode("median_days", as: Double?.self).map { ($0 * 10).rounded() / 10 },
                byMatterAndStage: counts[id] ?? []
            )
        }
        return LegalIndicators(unitId: unit, from: from, to: to, target: 1.0, items: items)
    }
}
