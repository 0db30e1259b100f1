import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes a pairing's effect checks (`pairing_progress`), under row-level security.
enum ProgressStore {
    /// Where a paired person is filed: the unit's path and, for a pupil, the school's.
    struct PersonPaths {
        var path: String
        var schoolPath: String?
    }

    static let columns: SQLQuery = """
        c.id, c.pairing_id, c.person_id, c.assessed_on, c.study, c.mood, c.living, c.notes, c.assessor_name, c.content_hash
        """

    /// Whether the caller can see the pairing.
    static func pairingExists(_ pairing: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select 1 from pairing where id = \(pairing)").first != nil
    }

    /// A stored check with its content hash and pairing (to recognise a retry).
    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (check: ProgressCheck, hash: Data, pairing: UUID)? {
        guard let row = try await transaction.query("select \(Self.columns) from pairing_progress c where c.id = \(id)").first else { return nil }
        return (try Self.check(row), try row.decode("content_hash", as: Data.self), try row.decode("pairing_id", as: UUID.self))
    }

    /// The paths of a person of the pairing, or nil when the person is not one of it (or not visible).
    static func paths(of person: UUID, inPairing pairing: UUID, in transaction: PostgresTransaction) async throws -> PersonPaths? {
        guard
            let row = try await transaction.query(
                """
                select (select b.path from liushou_unit_brief(p.unit_id) b) as path, (select b.path from liushou_unit_brief(p.school_id) b) as school_path
                from person p join pairing_person pp on pp.person_id = p.id where pp.pairing_id = \(pairing) and p.id = \(person)
                """
            ).first
        else { return nil }
        return PersonPaths(path: try row.decode("path", as: String.self), schoolPath: try row.decode("school_path", as: String?.self))
    }

    /// Inserts a check (the caller checked content and scope) and puts it on the person's timeline.
    static func insert(_ input: ProgressCheckInput, pairing: UUID, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into pairing_progress (id, pairing_id, person_id, assessed_on, study, mood, living, notes, assessor_account_id, assessor_name,
                content_hash)
            values (\(input.id), \(pairing), \(input.personId), \(input.assessedOn), \(input.study?.rawValue), \(input.mood.rawValue),
                \(input.living.rawValue), \(input.notes), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
        try await PersonTimeline.append(
            PersonTimeline.Entry(
                person: input.personId,
                module: "volunteers",
                kind: "pairing.progress",
                summary: "结对帮扶成效评估（\(input.assessedOn)）",
                caller: caller,
                record: input.id
            ),
            in: transaction
        )
    }

    /// A pairing's checks, newest first.
    static func list(pairing: UUID, in transaction: PostgresTransaction) async throws -> [ProgressCheck] {
        try await transaction.query(
            """
            select \(Self.columns) from pairing_progress c where c.pairing_id = \(pairing) order by c.assessed_on desc, c.created_at desc
            """
        ).map(Self.check)
    }

    static func check(_ row: PostgresRow) throws -> ProgressCheck {
        ProgressCheck(
            id: try row.decode("id"),
            pairingId: try row.decode("pairing_id"),
            personId: try row.decode("person_id"),
            assessedOn: try row.decode("assessed_on"),
            study: try row.decode("study", as: String?.self).flatMap(Trend.init(rawValue:)),
            mood: Trend(rawValue: try row.decode("mood")) ?? .steady,
            living: Trend(rawValue: try row.decode("living")) ?? .steady,
            notes: try row.decode("notes"),
            assessorName: try row.decode("assessor_name")
        )
    }
}
