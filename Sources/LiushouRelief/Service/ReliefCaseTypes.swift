import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Case types and their deadlines: platform defaults, added to or overridden per county.
public enum ReliefCaseTypes {
    /// A type in force for a county.
    public struct CaseType: Sendable, Codable, Equatable {
        public var id: UUID
        public var countyId: UUID?
        public var key: String
        public var name: String
        public var emergencyHours: Int
        public var decisionWorkingDays: Int
        public var maxAmountFen: Int64?
    }

    /// The county's path (the first label) of a unit path.
    static func countyPath(of path: String) -> String {
        String(path.split(separator: ".").first ?? Substring(path))
    }

    private static let columns: SQLQuery = """
        t.id, t.county_id, t.type_key, t.name, t.emergency_hours, t.decision_working_days, t.max_amount_fen
        """

    /// The type a county uses for a key: its own definition, else the default.
    static func effective(key: String, countyPath: String, in transaction: PostgresTransaction) async throws -> CaseType? {
        try await self.inForce(countyPath: countyPath, key: key, in: transaction).first
    }

    /// Every type in force for a county (its own over the defaults), by key.
    static func inForce(countyPath: String, key: String? = nil, in transaction: PostgresTransaction) async throws -> [CaseType] {
        try await transaction.query(
            """
            select distinct on (t.type_key) \(Self.columns)
            from relief_case_type t left join lateral liushou_unit_brief(t.county_id) u on true
            where (t.county_id is null or u.path = \(countyPath)) and (\(key)::text is null or t.type_key = \(key))
            order by t.type_key, (t.county_id is null)
            """
        ).map(Self.caseType)
    }

    /// Adds a county's own type under a key it does not define yet (409 `type_exists` otherwise).
    static func add(
        id: UUID,
        county: UUID,
        key: String,
        name: String,
        emergencyHours: Int,
        decisionWorkingDays: Int,
        maxAmountFen: Int64?,
        caller: Caller,
        in transaction: PostgresTransaction
    ) async throws {
        if try await transaction.query("select 1 from relief_case_type where county_id = \(county) and type_key = \(key)").first != nil {
            throw ServiceError.conflict(
                code: "type_exists",
                title: "The county already defines this type",
                detail: "Case types are kept with the cases decided under them; add a new key."
            )
        }
        try await transaction.query(
            """
            insert into relief_case_type (id, county_id, type_key, name, emergency_hours, decision_working_days, max_amount_fen, created_by)
            values (\(id), \(county), \(key), \(name), \(emergencyHours),
                \(decisionWorkingDays), \(maxAmountFen), \(caller.accountID))
            """
        )
    }

    static func caseType(_ row: PostgresRow) throws -> CaseType {
        CaseType(
            id: try row.decode("id"),
            countyId: try row.decode("county_id"),
            key: try row.decode("type_key"),
            name: try row.decode("name"),
            emergencyHours: try row.decode("emergency_hours"),
            decisionWorkingDays: try row.decode("decision_working_days"),
            maxAmountFen: try row.decode("max_amount_fen")
        )
    }
}
