import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/legal-aid/matters`: the matters (案由) — the national list, extended by each county.
public struct LegalMatterController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Items: Encodable {
        var items: [LegalMatter]
    }

    struct MatterInput: Codable, Equatable {
        var countyId: UUID
        var code: String
        var name: String
        var meansFree: Bool
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/legal-aid/matters", .permission(.legalAidRead)) { _, _, caller in
            let items = try await self.database.transaction(for: caller) { transaction in
                try await transaction.query("""
                    select code, name, means_free, county_id from legal_matter order by county_id nulls first, code
                    """).map(Self.matter)
            }
            return try JSONResponse(Items(items: items))
        }
        routes.on(.post, "/v1/legal-aid/matters", .permission(.legalAidConfigure)) { request, context, caller in
            let input = try await request.decodeJSON(as: MatterInput.self, context: context)
            let (matter, created) = try await self.database.transaction(for: caller) { transaction in
                var errors: [Problem.FieldError] = []
                if input.code.range(of: "^[a-z][a-z0-9_]{1,39}$", options: .regularExpression) == nil {
                    errors.append(.init(field: "code", message: "2 to 40 lower-case letters, digits or _ starting with a letter"))
                }
                if !(1...50).contains(LegalRules.trimmed(input.name).count) { errors.append(.init(field: "name", message: "must have 1 to 50 characters")) }
                guard let county = try await UnitLookup.brief(input.countyId, in: transaction), county.kind == "county",
                      caller.holds(.legalAidConfigure, at: county.path)
                else { throw Problem.validation(errors + [.init(field: "countyId", message: "no such county in your scope")]) }
                if !errors.isEmpty { throw Problem.validation(errors) }
                if let stored = try await transaction.query("""
                    select code, name, means_free, county_id, content_hash from legal_matter
                    where code = \(input.code) and (county_id is null or county_id = \(input.countyId))
                    """).first {
                    guard try stored.decode("county_id", as: UUID?.self) != nil else {
                        throw Problem.validation([.init(field: "code", message: "is a matter of the national list")])
                    }
                    guard try stored.decode("content_hash", as: Data?.self) == ContentHash.of(input) else { throw Problem.idConflict("matter") }
                    return (try Self.matter(stored), false)
                }
                try await transaction.query("""
                    insert into legal_matter (id, county_id, code, name, means_free, content_hash, created_by)
                    values (\(UUID()), \(input.countyId), \(input.code), \(LegalRules.trimmed(input.name)), \(input.meansFree), \(ContentHash.of(input)),
                        \(caller.accountID))
                    """)
                try await AuditEntry(caller: caller, context: context, action: "legal_matter.add", resource: "legal_matter",
                                     recordID: input.code, unitID: input.countyId).append(in: transaction)
                return (LegalMatter(code: input.code, name: LegalRules.trimmed(input.name), meansFree: input.meansFree, countyId: input.countyId), true)
            }
            return try JSONResponse(matter, status: created ? .created : .ok)
        }
    }

    static func matter(_ row: PostgresRow) throws -> LegalMatter {
        LegalMatter(code: try row.decode("code"), name: try row.decode("name"), meansFree: try row.decode("means_free"), countyId: try row.decode("county_id"))
    }
}
