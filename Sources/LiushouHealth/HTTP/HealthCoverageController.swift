import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/health-coverage`: checkup coverage for the dashboard — elders checked and left-behind women
/// screened in the last 12 months, for a unit and each child unit.
struct HealthCoverageController: Sendable {
    let database: TenantDatabase
    let store: HealthStore

    /// The parameters as sent: `unitId` (required).
    struct Query: Decodable {
        var unitId: String?
    }

    struct Coverage: Encodable {
        var unitId: UUID
        var items: [HealthStore.CoverageLine]
    }

    /// The coverage of a unit the caller reads indicators of.
    @Sendable func coverage(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        guard let unit = try request.uri.decodeQuery(as: Query.self, context: context).unitId.flatMap({ UUID(uuidString: $0) }) else {
            throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
        }
        let items = try await self.database.transaction(for: caller) { transaction in
            let path = try await self.store.unitPath(unit, in: transaction)
            guard let path, caller.holds(.indicatorsRead, at: path) else { throw Problem.noSuchUnit }
            return try await self.store.coverage(of: unit, in: transaction)
        }
        return try JSONResponse(Coverage(unitId: unit, items: items))
    }
}
