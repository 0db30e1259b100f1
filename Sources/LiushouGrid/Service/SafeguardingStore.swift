import Foundation
import LiushouAccess
import LiushouPostgres

/// Mandatory reports under the caller's row-level security; reads answer the report with its unit's path.
struct SafeguardingStore: Sendable {
    private static let columns: SQLQuery = """
        r.id, r.person_id, r.unit_id, r.kind, r.details, r.reporter_name, r.reported_at, r.police_notified_at, r.police_reference,
        r.acknowledged_at, r.version, (select b.path from liushou_unit_brief(r.unit_id) b) as unit_path
        """

    /// A report with its details.
    func find(_ id: UUID, in transaction: PostgresTransaction) async throws -> (SafeguardingReport, String?)? {
        guard let row = try await transaction.query("select \(Self.columns) from safeguarding_report r where r.id = \(id)").first else {
            return nil
        }
        return try Self.report(row, details: true)
    }

    /// Reports in the caller's safeguarding scope (only unacknowledged ones if `open`), open ones
    /// first, newest first, without details; at most 500.
    func list(open: Bool, in transaction: PostgresTransaction) async throws -> [SafeguardingReport] {
        let filter: SQLQuery = open ? "r.acknowledged_at is null" : "true"
        return try await transaction.query(
            """
            select \(Self.columns) from safeguarding_report r where \(filter) and liushou_unit_in_scope(r.unit_id, 'safeguarding')
            order by r.acknowledged_at is not null, r.reported_at desc limit 500
            """
        ).map { try Self.report($0, details: false).0 }
    }

    /// The unit of a person the caller sees.
    func unit(ofPerson person: UUID, in transaction: PostgresTransaction) async throws -> UUID? {
        try await transaction.query("select unit_id from person where id = \(person)").first?.decode("unit_id", as: UUID.self)
    }

    func isInMyCounty(_ unit: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select liushou_unit_in_my_county(\(unit)) as ok").first?.decode("ok", as: Bool.self) == true
    }

    /// Stores a new report by `caller` (who also notified the police, if `policeNotifiedAt` is given); `nil` if row-level security hides it.
    func insert(
        id: UUID,
        personId: UUID?,
        unitId: UUID,
        kind: SafeguardingKind,
        details: String,
        by caller: Caller,
        policeNotifiedAt: Date?,
        policeReference: String?,
        in transaction: PostgresTransaction
    ) async throws -> (SafeguardingReport, String?)? {
        let inserted = try await transaction.query(
            """
            insert into safeguarding_report as r (id, person_id, unit_id, kind, details, reported_by, reporter_name, police_notified_at,
                police_notified_by, police_reference)
            values (\(id), \(personId), \(unitId), \(kind.rawValue), \(details), \(caller.accountID), \(caller.name),
                \(policeNotifiedAt), \(policeNotifiedAt == nil ? nil : caller.accountID), \(policeReference))
            returning \(Self.columns)
            """
        )
        return try inserted.first.map { try Self.report($0, details: true) }
    }

    /// Records the police notice on the report at `version`; the number of reports changed (0 or 1). The
    /// version is checked by the update itself: two supervisors sending one version at once both pass a
    /// read, and the second would overwrite the first's time and reference.
    func recordPolice(
        _ id: UUID,
        version: Int,
        notifiedAt: Date,
        reference: String?,
        by caller: Caller,
        in transaction: PostgresTransaction
    ) async throws -> Int {
        try await transaction.query(
            """
            update safeguarding_report set police_notified_at = \(notifiedAt), police_notified_by = \(caller.accountID),
                police_reference = \(reference), version = version + 1
            where id = \(id) and version = \(version)
            """
        ).affectedRows
    }

    /// Acknowledges the report if it is unacknowledged and at `version`; the number of reports changed (0 or 1).
    func acknowledge(_ id: UUID, version: Int, by caller: Caller, in transaction: PostgresTransaction) async throws -> Int {
        try await transaction.query(
            """
            update safeguarding_report set acknowledged_at = now(), acknowledged_by = \(caller.accountID), version = version + 1
            where id = \(id) and acknowledged_at is null and version = \(version)
            """
        ).affectedRows
    }

    private static func report(_ row: PostgresRow, details: Bool) throws -> (SafeguardingReport, String?) {
        (
            SafeguardingReport(
                id: try row.decode("id"),
                personId: try row.decode("person_id"),
                unitId: try row.decode("unit_id"),
                kind: try row.decode("kind"),
                details: details ? try row.decode("details") : nil,
                reporterName: try row.decode("reporter_name"),
                reportedAt: try row.decode("reported_at"),
                policeNotifiedAt: try row.decode("police_notified_at"),
                policeReference: try row.decode("police_reference"),
                acknowledgedAt: try row.decode("acknowledged_at"),
                version: try row.decode("version")
            ), try row.decode("unit_path")
        )
    }
}
