import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry
import NIOCore

/// `/v1/dashboard`: the joint meeting's indicators for a unit and its children, their definitions,
/// weekly trends and a CSV for the minutes (the `/dashboard` page is one of the web clients).
public struct DashboardController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Definitions: Encodable {
        struct Count: Encodable {
            var metric: String
            var name: String
        }

        var indicators: [IndicatorDefinition]
        var counts: [Count]
    }

    struct Week: Encodable {
        var weekStart: String
        var indicators: [IndicatorValue]
    }

    struct Trend: Encodable {
        var unitId: UUID
        var weeks: [Week]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/dashboard", .permission(.indicatorsRead)) { request, _, caller in
            let unit = try Self.unit(request)
            let dashboard = try await self.database.transaction(for: caller) { transaction in
                try await DashboardBuilder.dashboard(of: unit, caller: caller, in: transaction)
            }
            return try JSONResponse(dashboard)
        }
        routes.on(.get, "/v1/dashboard/definitions", .permission(.indicatorsRead)) { _, _, _ in
            try JSONResponse(Definitions(indicators: IndicatorDefinition.all,
                                         counts: IndicatorDefinition.counts.map { Definitions.Count(metric: $0.metric, name: $0.name) }))
        }
        routes.on(.get, "/v1/dashboard/trend", .permission(.indicatorsRead)) { request, _, caller in
            let unit = try Self.unit(request)
            let weeks = try request.uri.queryParameters["weeks"].map { text -> Int in
                guard let weeks = Int(String(text)), (1...104).contains(weeks) else {
                    throw Problem.badRequest("weeks is invalid.", errors: [.init(field: "weeks", message: "must be 1 to 104")])
                }
                return weeks
            } ?? 12
            let trend = try await self.database.transaction(for: caller) { transaction in
                let units = try await DashboardBuilder.units(of: unit, caller: caller, in: transaction)
                let indicators = IndicatorDefinition.visible(to: caller, at: units.first?.path ?? "")
                var byWeek: [String: [String: Int]] = [:]
                for row in try await transaction.query("""
                    select week_start::text as week, metric, value::int as value from dashboard_trend(\(unit), \(weeks)::int)
                    """) {
                    byWeek[try row.decode("week", as: String.self), default: [:]][try row.decode("metric")] = try row.decode("value", as: Int.self)
                }
                // The current week is live, like the dashboard itself.
                let current = try await transaction.query("select date_trunc('week', now() at time zone 'Asia/Shanghai')::date::text as week")
                    .first?.decode("week", as: String.self) ?? ""
                byWeek[current] = try await LeafCounts.load(under: unit, in: transaction).total(under: nil)
                return Trend(unitId: unit, weeks: byWeek.keys.sorted().map { week in
                    Week(weekStart: week, indicators: indicators.map { IndicatorValue($0, counts: byWeek[week] ?? [:]) })
                })
            }
            return try JSONResponse(trend)
        }
        routes.on(.get, "/v1/dashboard.csv", .permission(.indicatorsRead)) { request, _, caller in
            let unit = try Self.unit(request)
            let dashboard = try await self.database.transaction(for: caller) { transaction in
                try await DashboardBuilder.dashboard(of: unit, caller: caller, in: transaction)
            }
            var writer = CSVWriter()
            writer.append(["单位", "指标", "分子", "分母", "比率", "目标", "状态"])
            let names = Dictionary(uniqueKeysWithValues: IndicatorDefinition.all.map { ($0.key, $0.name) })
            for row in dashboard.rows {
                for value in row.indicators {
                    writer.append([row.unitName, names[value.key] ?? value.key, String(value.numerator), String(value.denominator),
                                   value.rate.map { String(format: "%.2f%%", $0 * 100) } ?? "", value.target.map { String(format: "%.0f%%", $0 * 100) } ?? "",
                                   value.status.rawValue])
                }
                for count in IndicatorDefinition.counts {
                    writer.append([row.unitName, count.name, String(row.counts[count.metric] ?? 0), "", "", "", ""])
                }
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"dashboard.csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: writer.text)))
        }
    }

    static func unit(_ request: Request) throws -> UUID {
        guard let unit = request.uri.queryParameters["unitId"].flatMap({ UUID(uuidString: String($0)) }) else {
            throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
        }
        return unit
    }
}
