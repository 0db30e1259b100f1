import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Builds a unit's dashboard from live leaf counts: the unit's row, then its child units'.
struct DashboardBuilder: Sendable {
    struct Unit: Sendable {
        var id: UUID
        var name: String
        var kind: String
        var path: String
    }

    /// The unit and its active child units (towns, villages, grids), or 404 outside the caller's indicator scope.
    static func units(of unit: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> [Unit] {
        let rows = try await transaction.query(
            """
            select id, name, kind, path::text as path, id = \(unit) as is_root from org_unit
            where id = \(unit) or (parent_id = \(unit) and active and kind in ('town', 'village', 'grid'))
            order by id = \(unit) desc, code nulls last, name
            """
        )
        let units = try rows.map {
            Unit(id: try $0.decode("id"), name: try $0.decode("name"), kind: try $0.decode("kind"), path: try $0.decode("path"))
        }
        guard let root = units.first, root.id == unit, caller.holds(.indicatorsRead, at: root.path) else {
            throw ServiceError.noSuchUnit
        }
        return units
    }

    static func dashboard(of unit: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> Dashboard {
        let units = try await Self.units(of: unit, caller: caller, in: transaction)
        let counts = try await LeafCounts.load(under: unit, in: transaction)
        let indicators = IndicatorDefinition.visible(to: caller, at: units.first?.path ?? "")
        return Dashboard(
            unitId: unit,
            generatedAt: Date(),
            rows: units.map { Self.row($0, indicators: indicators, counts: counts.total(under: $0.path)) }
        )
    }

    /// The unit's indicators over its last `weeks` snapshots, the current week counted live.
    static func trend(of unit: UUID, weeks: Int, caller: Caller, in transaction: PostgresTransaction) async throws -> DashboardTrend {
        let units = try await Self.units(of: unit, caller: caller, in: transaction)
        let indicators = IndicatorDefinition.visible(to: caller, at: units.first?.path ?? "")
        var byWeek: [String: [String: Int]] = [:]
        for row in try await transaction.query(
            """
            select week_start::text as week, metric, value::int as value from dashboard_trend(\(unit), \(weeks)::int)
            """
        ) {
            byWeek[try row.decode("week", as: String.self), default: [:]][try row.decode("metric")] = try row.decode("value", as: Int.self)
        }
        // The current week is live, like the dashboard itself.
        let current =
            try await transaction.query("select date_trunc('week', now() at time zone 'Asia/Shanghai')::date::text as week")
            .first?.decode("week", as: String.self) ?? ""
        byWeek[current] = try await LeafCounts.load(under: unit, in: transaction).total(under: nil)
        return DashboardTrend(
            unitId: unit,
            weeks: byWeek.keys.sorted().map { week in
                DashboardTrend.Week(weekStart: week, indicators: indicators.map { IndicatorValue($0, counts: byWeek[week] ?? [:]) })
            }
        )
    }

    static func row(_ unit: Unit, indicators: [IndicatorDefinition], counts: [String: Int]) -> DashboardRow {
        DashboardRow(
            unitId: unit.id,
            unitName: unit.name,
            kind: unit.kind,
            indicators: indicators.map { IndicatorValue($0, counts: counts) },
            counts: Dictionary(uniqueKeysWithValues: IndicatorDefinition.counts.map { ($0.metric, counts[$0.metric] ?? 0) })
        )
    }
}
