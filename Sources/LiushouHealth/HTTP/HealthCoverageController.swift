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

    /// `unitId` (required).
    struct Query: Decodable {
        var unitId: UUID

        init(from decoder: any Decoder) throws {
            self.unitId = try decoder.container(keyedBy: NamedKey.self).required("unitId", UUID.init(canonical:), message: "must be a unit's UUID")
        }
    }

    struct Coverage: Encodable {
        var unitId: UUID
        var items: [HealthStore.CoverageLine]
    }

    /// The coverage of a unit the caller reads indicators of.
    @Sendable func coverage(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let unit = try request.uri.decodeQuery(as: Query.self, context: context).unitId
        let items = try await self.database.transaction(for: caller) { transaction in
            let path = try await self.store.unitPath(unit, in: transaction)
            guard let path, caller.holds(.indicatorsRead, at: path) else { throw Problem.noSuchUnit }
            return try await self.store.coverage(of: unit, in: transaction)
        }
        return try JSONResponse(Coverage(unitId: unit, items: items))
    }
}
