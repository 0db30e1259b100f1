import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/health-coverage`: checkup coverage for the dashboard — elders checked and left-behind women
/// screened in the last 12 months, for a unit and each child unit.
public struct HealthCoverageController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Rate: Encodable {
        var numerator: Int
        var denominator: Int
        /// numerator ÷ denominator to 4 places; null without a denominator.
        var rate: Double?

        init(_ numerator: Int, _ denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
            self.rate = denominator == 0 ? nil : (Double(numerator) / Double(denominator) * 10_000).rounded() / 10_000
        }
    }

    struct Line: Encodable {
        var unitId: UUID
        var unitName: String
        var eldersChecked: Rate
        var womenScreened: Rate
    }

    struct Coverage: Encodable {
        var unitId: UUID
        var items: [Line]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/health-coverage", .permission(.indicatorsRead)) { request, _, caller in
            guard let unit = request.uri.queryParameters["unitId"].flatMap({ UUID(uuidString: String($0)) }) else {
                throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                let path = try await transaction.query("select path from liushou_unit_brief(\(unit))").first?.decode("path", as: String.self)
                guard let path, caller.holds(.indicatorsRead, at: path) else { throw Problem.notFound("No such unit.") }
                return try await transaction.query("""
                    select unit_id, unit_name, elders::int, elders_checked::int, women::int, women_screened::int from health_coverage(\(unit))
                    """).map { row in
                    Line(unitId: try row.decode("unit_id"), unitName: try row.decode("unit_name"),
                         eldersChecked: Rate(try row.decode("elders_checked"), try row.decode("elders")),
                         womenScreened: Rate(try row.decode("women_screened"), try row.decode("women")))
                }
            }
            return try JSONResponse(Coverage(unitId: unit, items: items))
        }
    }
}
