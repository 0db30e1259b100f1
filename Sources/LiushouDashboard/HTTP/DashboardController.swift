import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/dashboard`: the joint meeting's indicators for a unit and its children, their definitions,
/// weekly trends and a CSV for the minutes (the `/dashboard` page is one of the web clients).
struct DashboardController: Sendable {
    /// Every route only reads: a replica may serve them (`X-Read-Source` says which did).
    let reads: ReadDatabase

    /// `unitId`, which every route needs.
    struct UnitQuery: Decodable {
        var unitId: UUID

        init(from decoder: any Decoder) throws {
            self.unitId = try decoder.container(keyedBy: NamedKey.self).required("unitId", UUID.init(canonical:), message: "must be a unit's UUID")
        }
    }

    /// The trend's query: `unitId` and `weeks` (1 to 104, default 12).
    struct TrendQuery: Decodable {
        var unitId: UUID
        var weeks: Int

        init(from decoder: any Decoder) throws {
            let query = try decoder.container(keyedBy: NamedKey.self)
            self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a unit's UUID")
            self.weeks = try query.integer("weeks", in: 1...104, default: 12)
        }
    }

    struct Definitions: Encodable {
        struct Count: Encodable {
            var metric: String
            var name: String
        }

        var indicators: [IndicatorDefinition]
        var counts: [Count]
    }

    /// The unit's row and its child units' rows, counted live.
    @Sendable func dashboard(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let unit = try request.uri.decodeQuery(as: UnitQuery.self, context: context).unitId
        let dashboard = try await self.reads.transaction(for: caller) { transaction in
            try await DashboardBuilder.dashboard(of: unit, caller: caller, in: transaction)
        }
        return try JSONResponse(dashboard.value, headers: dashboard.origin.headers)
    }

    @Sendable func definitions(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        try JSONResponse(
            Definitions(
                indicators: IndicatorDefinition.all,
                counts: IndicatorDefinition.counts.map { Definitions.Count(metric: $0.metric, name: $0.name) }
            )
        )
    }

    @Sendable func trend(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: TrendQuery.self, context: context)
        let trend = try await self.reads.transaction(for: caller) { transaction in
            try await DashboardBuilder.trend(of: query.unitId, weeks: query.weeks, caller: caller, in: transaction)
        }
        return try JSONResponse(trend.value, headers: trend.origin.headers)
    }

    /// The dashboard as a CSV file for the meeting's minutes: one line per unit and indicator or count.
    @Sendable func csv(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> CSVAttachment {
        let unit = try request.uri.decodeQuery(as: UnitQuery.self, context: context).unitId
        let read = try await self.reads.transaction(for: caller) { transaction in
            try await DashboardBuilder.dashboard(of: unit, caller: caller, in: transaction)
        }
        let dashboard = read.value
        var writer = CSVWriter()
        writer.append(["单位", "指标", "分子", "分母", "比率", "目标", "状态"])
        let names = Dictionary(uniqueKeysWithValues: IndicatorDefinition.all.map { ($0.key, $0.name) })
        for row in dashboard.rows {
            for value in row.indicators {
                writer.append([
                    row.unitName, names[value.key] ?? value.key, String(value.numerator), String(value.denominator),
                    value.rate.map { String(format: "%.2f%%", $0 * 100) } ?? "", value.target.map { String(format: "%.0f%%", $0 * 100) } ?? "",
                    value.status.rawValue,
                ])
            }
            for count in IndicatorDefinition.counts {
                writer.append([row.unitName, count.name, String(row.counts[count.metric] ?? 0), "", "", "", ""])
            }
        }
        return CSVAttachment(writer.text, filename: "dashboard.csv", headers: read.origin.headers)
    }
}
