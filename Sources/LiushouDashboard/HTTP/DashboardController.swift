import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import NIOCore

/// `/v1/dashboard`: the joint meeting's indicators for a unit and its children, their definitions,
/// weekly trends and a CSV for the minutes (the `/dashboard` page is one of the web clients).
struct DashboardController: Sendable {
    /// Every route only reads: a replica may serve them (`X-Read-Source` says which did).
    let reads: ReadDatabase

    /// The routes' query, as sent: `unitId` (required) and, for the trend, `weeks` (1 to 104, 12 when absent).
    struct UnitQuery: Decodable {
        var unitId: String?
        var weeks: String?

        func unit() throws -> UUID {
            guard let unit = self.unitId.flatMap(UUID.init(uuidString:)) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
            }
            return unit
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

    func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/dashboard", .permission(.indicatorsRead), handler: self.dashboard)
        routes.on(.get, "/v1/dashboard/definitions", .permission(.indicatorsRead), handler: self.definitions)
        routes.on(.get, "/v1/dashboard/trend", .permission(.indicatorsRead), handler: self.trend)
        routes.on(.get, "/v1/dashboard.csv", .permission(.indicatorsRead), handler: self.csv)
    }

    /// The unit's row and its child units' rows, counted live.
    @Sendable func dashboard(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let unit = try request.uri.decodeQuery(as: UnitQuery.self, context: context).unit()
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
        let query = try request.uri.decodeQuery(as: UnitQuery.self, context: context)
        let unit = try query.unit()
        let weeks =
            try query.weeks.map { text -> Int in
                guard let weeks = Int(text), (1...104).contains(weeks) else {
                    throw Problem.badRequest("weeks is invalid.", errors: [.init(field: "weeks", message: "must be 1 to 104")])
                }
                return weeks
            } ?? 12
        let trend = try await self.reads.transaction(for: caller) { transaction in
            try await DashboardBuilder.trend(of: unit, weeks: weeks, caller: caller, in: transaction)
        }
        return try JSONResponse(trend.value, headers: trend.origin.headers)
    }

    /// The dashboard as a CSV file for the meeting's minutes: one line per unit and indicator or count.
    @Sendable func csv(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> Response {
        let unit = try request.uri.decodeQuery(as: UnitQuery.self, context: context).unit()
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
        var headers = read.origin.headers
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"dashboard.csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: writer.text)))
    }
}
