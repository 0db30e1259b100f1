import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/legal-aid/settings/:countyId`: a county's eligibility rules and first-contact deadline.
struct LegalSettingsController: Sendable {
    let database: TenantDatabase

    struct SettingsInput: Decodable {
        var hardshipAssistance: [AssistanceKind]
        var meansFreeCategories: [PersonCategory]
        var firstContactDays: Int
    }

    /// The county's settings with their ETag (version 0: the defaults).
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let county = try context.uuidParameter("countyId")
        let settings = try await self.database.transaction(for: caller) { transaction in
            try await LegalCountyStore.requireCounty(county, caller: caller, permission: .legalAidRead, in: transaction)
            return try await LegalCountyStore.settings(of: county, in: transaction)
        }
        return try JSONResponse(settings, headers: [.eTag: "\"\(settings.version)\""])
    }

    /// Replaces the settings, with If-Match (`"0"` for a county's first).
    @Sendable func change(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
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
            try await LegalCountyStore.requireCounty(county, caller: caller, permission: .legalAidConfigure, in: transaction)
            let hardship = input.hardshipAssistance.map(\.rawValue)
            let categories = input.meansFreeCategories.map(\.rawValue)
            guard
                try await LegalCountyStore.saveSettings(
                    of: county,
                    version: version,
                    hardship: hardship,
                    categories: categories,
                    firstContactDays: input.firstContactDays,
                    caller: caller,
                    in: transaction
                )
            else {
                throw Problem.versionMismatch(
                    "county's legal-aid settings",
                    current: try await LegalCountyStore.settings(of: county, in: transaction).version
                )
            }
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "legal_aid_settings.change",
                resource: "legal_aid_setting",
                recordID: county.uuidString.lowercased(),
                unitID: county,
                detail: ["firstContactDays": String(input.firstContactDays), "meansFreeCategories": categories.joined(separator: ",")]
            )
            .append(in: transaction)
            return try await LegalCountyStore.settings(of: county, in: transaction)
        }
        return try JSONResponse(settings, headers: [.eTag: "\"\(settings.version)\""])
    }
}
