import Foundation
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Reads and writes the volunteer register (ID numbers sealed, answered masked), under row-level security.
struct VolunteerStore: Sendable {
    let vault: IdentifierVault

    /// What the register's unique constraints mean to a client.
    static let uniqueProblems: [String: Problem] = [
        "volunteer_account": Problem.validation([.init(field: "accountId", message: "this login already belongs to another volunteer")]),
        "volunteer_id_number": Problem.validation([.init(field: "idNumber", message: "a volunteer with this ID number is already registered here")]),
    ]

    static let columns: SQLQuery = """
        v.id, v.unit_id, v.account_id, v.name, v.phone, v.id_number_sealed, v.organisation, v.organisation_name, v.skills,
        v.availability, v.screening_status, v.screened_on, v.version, v.content_hash
        """

    /// A visible volunteer with its stored content hash.
    func find(_ id: UUID, forUpdate: Bool = false, in transaction: PostgresTransaction) async throws -> (volunteer: Volunteer, hash: Data)? {
        let lock: SQLQuery = forUpdate ? "for update" : ""
        guard let row = try await transaction.query("select \(Self.columns) from volunteer v where v.id = \(id) \(lock)").first else { return nil }
        return (try self.volunteer(row), try row.decode("content_hash"))
    }

    /// The volunteer record of an account (a volunteer's own).
    func find(account: UUID, in transaction: PostgresTransaction) async throws -> Volunteer? {
        try await transaction.query("select \(Self.columns) from volunteer v where v.account_id = \(account)").first.map(self.volunteer)
    }

    /// Visible volunteers registered in a unit's subtree or a unit holding it, filtered.
    func list(unitPath: String?, screening: ScreeningStatus?, skill: VolunteerSkill?, in transaction: PostgresTransaction) async throws -> [Volunteer]
    {
        var clauses: [SQLQuery] = ["true"]
        if let unitPath {
            clauses.append(
                """
                exists (select from liushou_unit_brief(v.unit_id) b where b.path::ltree <@ \(unitPath)::ltree or b.path::ltree @> \(unitPath)::ltree)
                """
            )
        }
        if let screening { clauses.append("v.screening_status = \(screening.rawValue)") }
        if let skill { clauses.append("\(skill.rawValue) = any(v.skills)") }
        return try await transaction.query(
            """
            select \(Self.columns) from volunteer v where \(SQLQuery.joined(clauses, separator: " and ")) order by v.name, v.id limit 2000
            """
        ).map(self.volunteer)
    }

    /// Inserts or replaces a volunteer (the caller checked scope, content and version).
    func save(_ input: VolunteerInput, id: UUID, existing: Volunteer?, in transaction: PostgresTransaction) async throws {
        let sealed = try input.idNumber.map { try self.vault.seal($0.uppercased()) }
        let digest = input.idNumber.map { self.vault.digest($0.uppercased()) }
        let hash = self.hash(input)
        let skills = (input.skills ?? []).map(\.rawValue)
        if existing == nil {
            try await transaction.query(
                """
                insert into volunteer (id, unit_id, account_id, name, phone, id_number_sealed, id_number_digest, organisation, organisation_name,
                    skills, availability, screening_status, screened_on, content_hash)
                values (\(id), \(input.unitId), \(input.accountId), \(input.name.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.phone),
                    \(sealed), \(digest), \(input.organisation.rawValue), \(input.organisationName), \(skills), \(input.availability),
                    \(input.screening.rawValue), \(input.screenedOn), \(hash))
                """
            )
        } else {
            try await transaction.query(
                """
                update volunteer set unit_id = \(input.unitId), account_id = \(input.accountId),
                    name = \(input.name.trimmingCharacters(in: .whitespacesAndNewlines)), phone = \(input.phone),
                    id_number_sealed = coalesce(\(sealed), id_number_sealed), id_number_digest = coalesce(\(digest), id_number_digest),
                    organisation = \(input.organisation.rawValue), organisation_name = \(input.organisationName), skills = \(skills),
                    availability = \(input.availability), screening_status = \(input.screening.rawValue), screened_on = \(input.screenedOn),
                    content_hash = \(hash), version = version + 1, updated_at = now()
                where id = \(id)
                """
            )
            // The login that reads the pairings' people: none while the background check is failed.
            try await self.moveAccess(
                of: id,
                from: existing?.screening == .failed ? nil : existing?.accountId,
                to: input.screening == .failed ? nil : input.accountId,
                in: transaction
            )
        }
    }

    /// Whether an account is an enabled login with the volunteer or school staff role.
    func accountMayHelp(_ account: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            select exists (select from account a join role_grant g on g.account_id = a.id
                           where a.id = \(account) and a.disabled_at is null and g.revoked_at is null
                             and g.role in ('volunteer', 'school_staff')) as ok
            """
        ).first?.decode("ok", as: Bool.self) ?? false
    }

    /// Whether another volunteer than `volunteer` has the login.
    func accountTaken(_ account: UUID, byOtherThan volunteer: UUID?, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            select exists (select from volunteer v where v.account_id = \(account) and v.id <> \(volunteer)) as taken
            """
        ).first?.decode("taken", as: Bool.self) ?? false
    }

    /// Whether another volunteer than `volunteer` of the unit's register has the ID number (under any key of the ring).
    func idNumberTaken(_ idNumber: String, unit: UUID, byOtherThan volunteer: UUID?, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            select exists (select from volunteer v where v.unit_id = \(unit)
                           and v.id_number_digest = any(\(self.vault.lookupDigests(idNumber.uppercased()))) and v.id <> \(volunteer)) as taken
            """
        ).first?.decode("taken", as: Bool.self) ?? false
    }

    /// A pairing's access follows the volunteer's login: a changed or removed login, or a failed
    /// background check, ends the old login's assignments; a new login gets those of the pairings
    /// still running or to come. Every pairing of the helper, including those with people outside
    /// the caller's area (`volunteer_access_move`).
    private func moveAccess(of volunteer: UUID, from old: UUID?, to new: UUID?, in transaction: PostgresTransaction) async throws {
        guard old != new else { return }
        try await transaction.query("select volunteer_access_move(\(volunteer), \(old), \(new))")
    }

    /// The content hash that recognises a retried registration: over the input with the ID number
    /// replaced by its keyed digest (a plain hash of it could be reversed by trying every number).
    func hash(_ input: VolunteerInput) -> Data {
        self.hash(input, idNumberDigest: input.idNumber.map { self.vault.digest($0.uppercased()) })
    }

    /// Whether `stored` is the content hash of `input` under any key of the ring: a retry that
    /// spans a key rotation is still the same request.
    func isHash(_ stored: Data, of input: VolunteerInput) -> Bool {
        guard let idNumber = input.idNumber else { return stored == self.hash(input, idNumberDigest: nil) }
        return self.vault.lookupDigests(idNumber.uppercased()).contains { stored == self.hash(input, idNumberDigest: $0) }
    }

    private func hash(_ input: VolunteerInput, idNumberDigest: Data?) -> Data {
        var keyed = input
        keyed.idNumber = idNumberDigest?.base64EncodedString()
        return ContentHash.of(keyed)
    }

    func volunteer(_ row: PostgresRow) throws -> Volunteer {
        let sealed = try row.decode("id_number_sealed", as: Data?.self)
        return Volunteer(
            id: try row.decode("id"),
            unitId: try row.decode("unit_id"),
            accountId: try row.decode("account_id"),
            name: try row.decode("name"),
            phone: try row.decode("phone"),
            idNumber: try sealed.map { Masking.idNumber(try self.vault.open($0)) },
            organisation: VolunteerOrganisation(rawValue: try row.decode("organisation")) ?? .other,
            organisationName: try row.decode("organisation_name"),
            skills: try row.decode("skills", as: [String].self).compactMap(VolunteerSkill.init(rawValue:)),
            availability: try row.decode("availability"),
            screening: ScreeningStatus(rawValue: try row.decode("screening_status")) ?? .pending,
            screenedOn: try row.decode("screened_on"),
            version: try row.decode("version")
        )
    }
}
