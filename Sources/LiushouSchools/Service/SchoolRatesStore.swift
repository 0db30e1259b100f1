import Foundation
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Reads 入学率, 巩固率 and 入园率 from `school_rates(unit, day)` (a line for the unit, then one per child unit).
enum SchoolRatesStore {
    /// The lines and the start of the school year used; nil when the caller cannot see the unit; a
    /// validation problem for a unit that has no children of school age of its own.
    static func rates(
        _ unit: UUID,
        on day: LocalDate,
        in transaction: PostgresTransaction
    ) async throws
        -> (items: [SchoolRatesLine], schoolYearStart: LocalDate)?
    {
        let rows = try await transaction.query(
            """
            select unit_id, unit_name, unit_kind, compulsory::int, compulsory_enrolled::int, cohort::int, retained::int, preschool::int,
                preschool_enrolled::int, year_start
            from school_rates(\(unit), \(day))
            """
        )
        guard let first = rows.first else { return nil }
        // A clinic (or any unit that is not an area or a school) has no children of school age of its own.
        guard ["county", "town", "village", "grid", "school"].contains(try first.decode("unit_kind", as: String.self)) else {
            throw ServiceError.invalid("unitId", "must be a county, town, village, grid or school")
        }
        let items = try rows.map { row in
            SchoolRatesLine(
                unitId: try row.decode("unit_id"),
                unitName: try row.decode("unit_name"),
                unitKind: try row.decode("unit_kind"),
                enrolment: SchoolRate(try row.decode("compulsory_enrolled"), try row.decode("compulsory")),
                retention: SchoolRate(try row.decode("retained"), try row.decode("cohort")),
                kindergarten: SchoolRate(try row.decode("preschool_enrolled"), try row.decode("preschool"))
            )
        }
        return (items, try first.decode("year_start"))
    }
}
