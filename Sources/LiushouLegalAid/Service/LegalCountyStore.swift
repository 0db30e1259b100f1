import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// What a county sets for legal aid: the matters it adds to the national list, and its eligibility
/// rules and first-contact deadline.
enum LegalCountyStore {
    /// The national matters first, then the counties' (each caller sees its counties'), by code.
    static func matters(in transaction: PostgresTransaction) async throws -> [LegalMatter] {
        try await transaction.query(
            """
            select code, name, means_free, county_id from legal_matter order by county_id nulls first, code
            """
        ).map(Self.matter)
    }

    /// The matter of `code` the county sees (its own or the national one), with its content hash.
    static func matter(code: String, county: UUID, in transaction: PostgresTransaction) async throws -> (matter: LegalMatter, hash: Data?)? {
        try await transaction.query(
            """
            select code, name, means_free, county_id, content_hash from legal_matter
            where code = \(code) and (county_id is null or county_id = \(county))
            """
        ).first.map { (try Self.matter($0), try $0.decode("content_hash", as: Data?.self)) }
    }

    static func addMatter(_ matter: LegalMatter, county: UUID, hash: Data, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into legal_matter (id, county_id, code, name, means_free, content_hash, created_by)
            values (\(UUID()), \(county), \(matter.code), \(matter.name), \(matter.meansFree), \(hash),
                \(caller.accountID))
            """
        )
    }

    private static func matter(_ row: PostgresRow) throws -> LegalMatter {
        LegalMatter(
            code: try row.decode("code"),
            name: try row.decode("name"),
            meansFree: try row.decode("means_free"),
            countyId: try row.decode("county_id")
        )
    }

    /// A county related to the caller's units where they hold `permission` (404 otherwise).
    static func requireCounty(_ id: UUID, caller: Caller, permission: Permission, in transaction: PostgresTransaction) async throws {
        guard let brief = try await UnitLookup.brief(id, in: transaction), brief.kind == "county",
            caller.scopes(for: permission).contains(where: { Caller.path($0, isInside: brief.path) })
        else { throw ServiceError.notFound("No such county.") }
    }

    /// The county's settings, the defaults (version 0) while it has set none.
    static func settings(of county: UUID, in transaction: PostgresTransaction) async throws -> LegalAidSettings {
        let row = try await transaction.query(
            """
            select s.hardship_assistance, s.means_free_categories, s.first_contact_days, s.version from legal_aid_setting s where s.county_id = \(county)
            """
        ).first
        guard let row else {
            return LegalAidSettings(
                countyId: county,
                hardshipAssistance: [.minimumLiving, .extremePoverty],
                meansFreeCategories: [],
                firstContactDays: 3,
                version: 0
            )
        }
        return LegalAidSettings(
            countyId: county,
            hardshipAssistance: try row.decode("hardship_assistance", as: [String].self).compactMap(AssistanceKind.init(rawValue:)),
            meansFreeCategories: try row.decode("means_free_categories", as: [String].self).compactMap(PersonCategory.init(rawValue:)),
            firstContactDays: try row.decode("first_contact_days"),
            version: try row.decode("version")
        )
    }

    /// Writes the settings at If-Match `version` (0: the county's first); false when another change came first.
    static func saveSettings(
        of county: UUID,
        version: Int,
        hardship: [String],
        categories: [String],
        firstContactDays: Int,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws -> Bool {
        let written: PostgresResult
        if version == 0 {
            written = try await transaction.query(
                """
                insert into legal_aid_setting (county_id, hardship_assistance, means_free_categories, first_contact_days, updated_by)
                values (\(county), \(hardship), \(categories), \(firstContactDays), \(caller.accountID))
                on conflict (county_id) do nothing returning version
                """
            )
        } else {
            written = try await transaction.query(
                """
                update legal_aid_setting set hardship_assistance = \(hardship), means_free_categories = \(categories),
                    first_contact_days = \(firstContactDays), updated_by = \(caller.accountID), updated_at = now(), version = version + 1
                where county_id = \(county) and version = \(version) returning version
                """
            )
        }
        return written.first != nil
    }
}
