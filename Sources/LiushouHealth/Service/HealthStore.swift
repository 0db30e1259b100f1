import Foundation
import LiushouAccess
import LiushouPlatform
import LiushouPostgres

/// Health files, checkups as read back, and checkup coverage, under the caller's row-level
/// security. (Checkups are written by `CheckupRecorder`.)
struct HealthStore: Sendable {
    struct Rate: Encodable {
        var numerator: Int
        var denominator: Int
        /// numerator ÷ denominator to 4 places; null without a denominator.
        var rate: Double?

        init(_ numerator: Int, _ denominator: Int) {
            self.numerator = numerator
            self.denominator = denominator
            self.rate = denominator == 0 ? nil : (Double(numerator) / Double(denominator) * 10_000).rounded() / 10_000
        }
    }

    /// The coverage of one unit.
    struct CoverageLine: Encodable {
        var unitId: UUID
        var unitName: String
        var eldersChecked: Rate
        var womenScreened: Rate
    }

    func personExists(_ id: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select 1 from person where id = \(id)").first != nil
    }

    /// Whether a clinic the caller works for serves the person's village.
    func isServedByMyClinic(_ id: UUID, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query("select liushou_person_served_by_my_clinic(\(id)) as served").first?.decode("served", as: Bool.self) == true
    }

    /// Creates the first version of a person's health file; false if it exists already.
    func createFile(of id: UUID, _ input: HealthFileInput, by caller: Caller, in transaction: PostgresTransaction) async throws -> Bool {
        try await transaction.query(
            """
            insert into health_file (person_id, chronic_conditions, allergies, notes, updated_by)
            values (\(id), \(input.chronicConditions), \(input.allergies), \(input.notes), \(caller.accountID))
            on conflict (person_id) do nothing
            """
        ).affectedRows != 0
    }

    /// Changes a person's health file at `version`; false if that is not its version.
    func updateFile(
        of id: UUID,
        at version: Int,
        to input: HealthFileInput,
        by caller: Caller,
        in transaction: PostgresTransaction
    ) async throws -> Bool {
        try await transaction.query(
            """
            update health_file set chronic_conditions = \(input.chronicConditions), allergies = \(input.allergies), notes = \(input.notes),
                updated_by = \(caller.accountID), updated_at = now(), version = version + 1
            where person_id = \(id) and version = \(version)
            """
        ).affectedRows != 0
    }

    func fileVersion(of id: UUID, in transaction: PostgresTransaction) async throws -> Int? {
        try await transaction.query("select version from health_file where person_id = \(id)").first?.decode("version", as: Int.self)
    }

    /// The unit a person is filed under.
    func unit(ofPerson person: UUID, in transaction: PostgresTransaction) async throws -> (id: UUID, path: String)? {
        guard
            let row = try await transaction.query(
                """
                select b.id, b.path from person p cross join lateral liushou_unit_brief(p.unit_id) b where p.id = \(person)
                """
            ).first
        else { return nil }
        return (try row.decode("id"), try row.decode("path"))
    }

    /// A unit's path, whether or not the caller sees it.
    func unitPath(_ unit: UUID, in transaction: PostgresTransaction) async throws -> String? {
        try await transaction.query("select path from liushou_unit_brief(\(unit))").first?.decode("path", as: String.self)
    }

    /// Checkup coverage of a unit and of each of its child units.
    func coverage(of unit: UUID, in transaction: PostgresTransaction) async throws -> [CoverageLine] {
        try await transaction.query(
            """
            select unit_id, unit_name, elders::int, elders_checked::int, women::int, women_screened::int from health_coverage(\(unit))
            """
        ).map { row in
            CoverageLine(
                unitId: try row.decode("unit_id"),
                unitName: try row.decode("unit_name"),
                eldersChecked: Rate(try row.decode("elders_checked"), try row.decode("elders")),
                womenScreened: Rate(try row.decode("women_screened"), try row.decode("women"))
            )
        }
    }

    /// The checkups a helper may know are due: the yearly ones a volunteer reminds of or accompanies to.
    static let helperKinds: Set<CheckupKind> = [.elderAnnual, .childHealth]

    /// The summary with due dates on `today`, plus the details when a clinic of the caller serves the person.
    func view(of id: UUID, caller: Caller, today: LocalDate, in transaction: PostgresTransaction) async throws -> HealthView {
        let results = try await transaction.pipeline([
            """
            select p.file -> 'health' ->> 'disabilityType' as disability_type, (p.file -> 'health' ->> 'disabilityGrade')::int as disability_grade,
                liushou_person_served_by_my_clinic(p.id) as served, (select b.path from liushou_unit_brief(p.unit_id) b) as unit_path
            from person p where p.id = \(id)
            """,
            "select kind, last_checked_on, follow_up_needed from health_summary(\(id))",
            """
            select r.kind, min((s.last_checked_on + r.cadence)::date) as next_due
            from checkup_rules_for(\(id)) r left join health_summary(\(id)) s on s.kind = r.kind group by r.kind
            """,
            "select chronic_conditions, allergies, notes, version from health_file where person_id = \(id)",
            """
            select id, person_id, clinic_id, record_id, checked_on, kind, measurements::text as measurements, diagnoses, findings, follow_up_needed,
                clinician, received_at
            from checkup where person_id = \(id) order by checked_on desc, received_at desc limit 100
            """,
        ])
        guard let person = results[0].first else { throw ServiceError.noSuchPerson }
        var last: [String: (date: LocalDate, followUp: Bool)] = [:]
        for row in results[1] { last[try row.decode("kind")] = (try row.decode("last_checked_on"), try row.decode("follow_up_needed")) }
        var due: [String: LocalDate] = [:]
        for row in results[2] {
            // Never checked: due now.
            due[try row.decode("kind")] = try row.decode("next_due", as: LocalDate?.self) ?? today
        }
        let served = try person.decode("served", as: Bool.self)
        // Staff of the person's own units and of a serving clinic read the whole summary; a volunteer
        // or teacher who sees the person through a pairing or a school only what their help needs.
        let limited = !caller.covers(try person.decode("unit_path", as: String.self), in: .personArea) && !(served && caller.holds(.healthDetails))
        let summary = CheckupKind.allCases.compactMap { kind -> HealthView.Line? in
            let previous = last[kind.rawValue]
            let next = due[kind.rawValue]
            guard previous != nil || next != nil else { return nil }
            let overdue = next.map { previous == nil || $0 < today } ?? false
            if limited {
                guard Self.helperKinds.contains(kind), next != nil else { return nil }
                return HealthView.Line(kind: kind, lastCheckedOn: nil, followUpNeeded: nil, nextDueOn: next, overdue: overdue)
            }
            return HealthView.Line(kind: kind, lastCheckedOn: previous?.date, followUpNeeded: previous?.followUp, nextDueOn: next, overdue: overdue)
        }
        guard served, caller.holds(.healthDetails) else {
            return HealthView(personId: id, summary: summary, details: nil, limited: limited)
        }
        let file = results[3].first
        let checkups = try results[4].map { row in
            Checkup(
                id: try row.decode("id"),
                personId: try row.decode("person_id"),
                clinicId: try row.decode("clinic_id"),
                recordId: try row.decode("record_id"),
                checkedOn: try row.decode("checked_on"),
                kind: CheckupKind(rawValue: try row.decode("kind")) ?? .followUp,
                measurements: try Self.measurements(try row.decode("measurements", as: String.self)),
                diagnoses: try row.decode("diagnoses"),
                findings: try row.decode("findings"),
                followUpNeeded: try row.decode("follow_up_needed"),
                clinician: try row.decode("clinician"),
                receivedAt: try row.decode("received_at")
            )
        }
        let details = HealthView.Details(
            chronicConditions: try file?.decode("chronic_conditions", as: [String].self) ?? [],
            allergies: try file?.decode("allergies", as: [String].self) ?? [],
            notes: try file?.decode("notes", as: String?.self),
            disabilityType: try person.decode("disability_type"),
            disabilityGrade: try person.decode("disability_grade"),
            checkups: checkups,
            version: try file?.decode("version", as: Int.self) ?? 0
        )
        return HealthView(personId: id, summary: summary, details: details, limited: false)
    }

    static func measurements(_ json: String) throws -> [Measurement] {
        let object = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]]) ?? [:]
        return object.keys.sorted().compactMap { name in
            guard let entry = object[name], let value = (entry["value"] as? NSNumber)?.doubleValue, let unit = entry["unit"] as? String else {
                return nil
            }
            return Measurement(name: name, value: value, unit: unit)
        }
    }
}
