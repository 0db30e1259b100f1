import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/legal-aid/settings/:countyId`: a county's eligibility rules and first-contact deadline.
public struct LegalSettingsController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct SettingsInput: Decodable {
        var hardshipAssistance: [AssistanceKind]
        var meansFreeCategories: [PersonCategory]
        var firstContactDays: Int
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/legal-aid/settings/:countyId", .permission(.legalAidRead)) { _, context, caller in
            let county = try context.uuidParameter("countyId")
            let settings = try await self.database.transaction(for: caller) { transaction in
                try await self.county(county, caller: caller, permission: .legalAidRead, in: transaction)
                return try await Self.settings(of: county, in: transaction)
            }
            return try JSONResponse(settings, headers: [.eTag: "\"\(settings.version)\""])
        }
        routes.on(.put, "/v1/legal-aid/settings/:countyId", .permission(.legalAidConfigure)) { request, context, caller in
            let county = try context.uuidParameter("countyId")
            let version = try request.ifMatchVersion()
            let input = try await request.decodeJSON(as: SettingsInput.self, context: context)
            var errors: [Problem.FieldError] = []
            if !(1...60).contains(input.firstContactDays) { errors.append(.init(field: "firstContactDays", message: "must be 1 to 60 days")) }
            if Set(input.hardshipAssistance).count != input.hardshipAssistance.count {
                errors.append(.init(field: "hardshipAssistance", message: "must not repeat a kind"))
            }
            if Set(input.meansFreeCategories).count != input.meansFreeCategories.count {
                errors.append(.init(field: "meansFreeCategories", message: "must not repeat a category"))
            }
            if !errors.isEmpty { throw Problem.validation(errors) }
            let settings = try await self.database.transaction(for: caller) { transaction in
                try await self.county(county, caller: caller, permission: .legalAidConfigure, in: transaction)
                let hardship = input.hardshipAssistance.map(\.rawValue)
                let categories = input.meansFreeCategories.map(\.rawValue)
                let written: PostgresResult
                if version == 0 {
                    written = try await transaction.query("""
                        insert into legal_aid_setting (county_id, hardship_assistance, means_free_categories, first_contact_days, updated_by)
                        values (\(county), \(hardship), \(categories), \(input.firstContactDays), \(caller.accountID))
                        on conflict (county_id) do nothing returning version
                        """)
                } else {
                    written = try await transaction.query("""
                        update legal_aid_setting set hardship_assistance = \(hardship), means_free_categories = \(categories),
                            first_contact_days = \(input.firstContactDays), updated_by = \(caller.accountID), updated_at = now(), version = version + 1
                        where county_id = \(county) and version = \(version) returning version
                        """)
                }
                guard written.first != nil else {
                    throw Problem.versionMismatch("county's legal-aid settings", current: try await Self.settings(of: county, in: transaction).version)
                }
                try await AuditEntry(caller: caller, context: context, action: "legal_aid_settings.change", resource: "legal_aid_setting",
                                     recordID: county.uuidString.lowercased(), unitID: county,
                                     detail: ["firstContactDays": String(input.firstContactDays), "meansFreeCategories": categories.joined(separator: ",")])
                    .append(in: transaction)
                return try await Self.settings(of: county, in: transaction)
            }
            return try JSONResponse(settings, headers: [.eTag: "\"\(settings.version)\""])
        }
    }

    /// A county related to the caller's units where they hold `permission` (404 otherwise).
    private func county(_ id: UUID, caller: Caller, permission: Permission, in transaction: PostgresTransaction) async throws {
        guard let brief = try await UnitLookup.brief(id, in: transaction), brief.kind == "county",
              caller.scopes(for: permission).contains(where: { Caller.path($0, isInside: brief.path) })
        else { throw Problem.notFound("No such county.") }
    }

    /// The county's settings, the defaults (version 0) while it has set none.
    static func settings(of county: UUID, in transaction: PostgresTransaction) async throws -> LegalAidSettings {
        let row = try await transaction.query("""
            select s.hardship_assistance, s.means_free_categories, s.first_contact_days, s.version from legal_aid_setting s where s.county_id = \(county)
            """).first
        guard let row else {
            return LegalAidSettings(countyId: county, hardshipAssistance: [.minimumLiving, .extremePoverty], meansFreeCategories: [],
                                    firstContactDays: 3, version: 0)
        }
        return LegalAidSettings(
            countyId: county, hardshipAssistance: try row.decode("hardship_assistance", as: [String].self).compactMap(AssistanceKind.init(rawValue:)),
            meansFreeCategories: try row.decode("means_free_categories", as: [String].self).compactMap(PersonCategory.init(rawValue:)),
            firstContactDays: try row.decode("first_contact_days"), version: try row.decode("version"))
    }
}
