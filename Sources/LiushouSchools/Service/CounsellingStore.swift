import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Reads and writes counselling sessions (心理辅导) and the counsellors the town designates at a school,
/// under row-level security.
enum CounsellingStore {
    static let columns: SQLQuery = """
        s.id, s.person_id, s.school_id, s.held_on, s.issue, s.notes, s.plan, s.risk_level, s.counsellor_name, s.content_hash,
        liushou_is_counsellor(s.school_id) as mine, (select b.path from liushou_unit_brief(s.school_id) b) as school_path
        """

    /// A visible session with its content hash.
    static func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (session: CounsellingSession, hash: Data)? {
        guard let row = try await transaction.query("select \(Self.columns) from counselling_session s where s.id = \(id)").first else { return nil }
        return (try Self.session(row), try row.decode("content_hash", as: Data.self))
    }

    /// Inserts a session with a child on the roll of `school` (the caller checked it).
    static func insert(_ input: CounsellingInput, school: UUID, caller: Caller, in transaction: PostgresTransaction) async throws {
        try await transaction.query(
            """
            insert into counselling_session (id, person_id, school_id, held_on, issue, notes, plan, risk_level, counsellor_account_id,
                counsellor_name, content_hash)
            values (\(input.id), \(input.personId), \(school), \(input.heldOn), \(input.issue.trimmingCharacters(in: .whitespacesAndNewlines)),
                \(input.notes), \(input.plan), \(input.riskLevel.rawValue), \(caller.accountID), \(caller.name), \(ContentHash.of(input)))
            """
        )
    }

    /// That sessions with the child happened: date and school only.
    static func held(_ person: UUID, in transaction: PostgresTransaction) async throws -> [CounsellingView.Held] {
        try await transaction.query("select held_on, school_id, school_name from counselling_summary(\(person))").map { row in
            CounsellingView.Held(heldOn: try row.decode("held_on"), schoolId: try row.decode("school_id"), schoolName: try row.decode("school_name"))
        }
    }

    /// The child's sessions whose details the caller reads (a counsellor of the session's school, or
    /// the town's child-welfare supervisor), newest first.
    static func details(_ person: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> [CounsellingSession] {
        // Row-level security already limits the rows; the same rule is checked here again.
        try await transaction.query(
            """
            select \(Self.columns) from counselling_session s where s.person_id = \(person) order by s.held_on desc, s.recorded_at desc
            """
        ).filter { row in
            try row.decode("mine", as: Bool.self) || caller.covers(try row.decode("school_path", as: String.self), in: .counselling)
        }.map(Self.session)
    }

    static func session(_ row: PostgresRow) throws -> CounsellingSession {
        CounsellingSession(
            id: try row.decode("id"),
            personId: try row.decode("person_id"),
            schoolId: try row.decode("school_id"),
            heldOn: try row.decode("held_on"),
            issue: try row.decode("issue"),
            notes: try row.decode("notes"),
            plan: try row.decode("plan"),
            riskLevel: CounsellingRisk(rawValue: try row.decode("risk_level")) ?? .low,
            counsellorName: try row.decode("counsellor_name")
        )
    }

    // MARK: Counsellors

    static let counsellorColumns: SQLQuery = "c.id, c.school_id, c.account_id, c.designated_at, c.revoked_at"

    /// The account's running designation at the school.
    static func activeCounsellor(_ account: UUID, at school: UUID, in transaction: PostgresTransaction) async throws -> Counsellor? {
        try await transaction.query(
            """
            select \(Self.counsellorColumns) from school_counsellor c where c.school_id = \(school) and c.account_id = \(account) and c.revoked_at is null
            """
        ).first.map(Self.counsellor)
    }

    /// Designates a staff account as a counsellor of the school (the caller checked it); returns the designation's id.
    static func designate(_ account: UUID, at school: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> UUID {
        let newID = UUID()
        try await transaction.query(
            """
            insert into school_counsellor (id, school_id, account_id, designated_by) values (\(newID), \(school), \(account), \(caller.accountID))
            """
        )
        return newID
    }

    /// One visible designation.
    static func counsellor(_ id: UUID, in transaction: PostgresTransaction) async throws -> Counsellor? {
        try await transaction.query("select \(Self.counsellorColumns) from school_counsellor c where c.id = \(id)").first.map(Self.counsellor)
    }

    /// Ends the account's running designation at the school; nil when there is none.
    static func revoke(_ account: UUID, at school: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> Counsellor? {
        try await transaction.query(
            """
            update school_counsellor c set revoked_at = now(), revoked_by = \(caller.accountID)
            where c.school_id = \(school) and c.account_id = \(account) and c.revoked_at is null
            returning \(Self.counsellorColumns)
            """
        ).first.map(Self.counsellor)
    }

    static func counsellor(_ row: PostgresRow) throws -> Counsellor {
        Counsellor(
            id: try row.decode("id"),
            schoolId: try row.decode("school_id"),
            accountId: try row.decode("account_id"),
            designatedAt: try row.decode("designated_at"),
            revokedAt: try row.decode("revoked_at")
        )
    }
}
