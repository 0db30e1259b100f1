import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/persons/:id/health`: a person's health as the caller may see it (summary for everyone who
/// sees the person; clinical details, audited, for staff of a clinic serving the person's village),
/// and the clinic's changes to the standing health file.
public struct HealthFileController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.get, "/v1/persons/:id/health", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let view = try await self.database.transaction(for: caller) { transaction in
                let view = try await self.view(of: id, caller: caller, in: transaction)
                if view.details != nil {
                    try await Self.audit("health.read", person: id, caller: caller, context: context, in: transaction)
                }
                return view
            }
            return try JSONResponse(view, headers: view.details.map { [.eTag: "\"\($0.version)\""] } ?? [:])
        }
        routes.on(.put, "/v1/persons/:id/health-file", .permission(.healthRecord)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let input = try await request.decodeJSON(as: HealthFileInput.self, context: context)
            var errors: [Problem.FieldError] = []
            for (field, items) in [("chronicConditions", input.chronicConditions), ("allergies", input.allergies)]
            where items.count > 30 || items.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.unicodeScalars.count > 100 }) {
                errors.append(.init(field: field, message: "at most 30 entries of 1 to 100 characters each"))
            }
            if (input.notes?.unicodeScalars.count ?? 0) > 2000 { errors.append(.init(field: "notes", message: "must have at most 2000 characters")) }
            if !errors.isEmpty { throw Problem.validation(errors) }
            let view = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else { throw Problem.notFound("No such person.") }
                guard try await transaction.query("select liushou_person_served_by_my_clinic(\(id)) as served").first?.decode("served", as: Bool.self) == true
                else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                  detail: "Only staff of a clinic serving the person's village keep the health file.")
                }
                if version == 0 {
                    // The first version: exactly one of two concurrent creators wins.
                    let inserted = try await transaction.query("""
                        insert into health_file (person_id, chronic_conditions, allergies, notes, updated_by)
                        values (\(id), \(input.chronicConditions), \(input.allergies), \(input.notes), \(caller.accountID))
                        on conflict (person_id) do nothing
                        """).affectedRows
                    if inserted == 0 {
                        let current = try await transaction.query("select version from health_file where person_id = \(id)").first?.decode("version", as: Int.self)
                        throw Problem.versionMismatch("health file", current: current ?? 0)
                    }
                } else {
                    let updated = try await transaction.query("""
                        update health_file set chronic_conditions = \(input.chronicConditions), allergies = \(input.allergies), notes = \(input.notes),
                            updated_by = \(caller.accountID), updated_at = now(), version = version + 1
                        where person_id = \(id) and version = \(version)
                        """).affectedRows
                    if updated == 0 {
                        let current = try await transaction.query("select version from health_file where person_id = \(id)").first?.decode("version", as: Int.self)
                        throw Problem.versionMismatch("health file", current: current ?? 0)
                    }
                }
                try await Self.audit("health.file_change", person: id, caller: caller, context: context, in: transaction)
                return try await self.view(of: id, caller: caller, in: transaction)
            }
            return try JSONResponse(view, headers: view.details.map { [.eTag: "\"\($0.version)\""] } ?? [:])
        }
    }

    /// An audit entry about a person's health, filed under the person's unit (so auditors of that unit find it).
    private static func audit(_ action: String, person: UUID, caller: Caller, context: AppRequestContext, in transaction: PostgresTransaction) async throws {
        let unit = try await transaction.query("""
            select b.id, b.path from person p cross join lateral liushou_unit_brief(p.unit_id) b where p.id = \(person)
            """).first
        try await AuditEntry(caller: caller, context: context, action: action, resource: "person", recordID: person.uuidString.lowercased(),
                             unitID: try unit?.decode("id", as: UUID.self), unitPath: try unit?.decode("path", as: String.self)).append(in: transaction)
    }

    /// The checkups a helper may know are due: the yearly ones a volunteer reminds of or accompanies to.
    static let helperKinds: Set<CheckupKind> = [.elderAnnual, .childHealth]

    /// The summary with due dates, plus the details when a clinic of the caller serves the person.
    private func view(of id: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> HealthView {
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
        guard let person = results[0].first else { throw Problem.notFound("No such person.") }
        let today = PersonValidator.chinaToday()
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
                id: try row.decode("id"), personId: try row.decode("person_id"), clinicId: try row.decode("clinic_id"), recordId: try row.decode("record_id"),
                checkedOn: try row.decode("checked_on"), kind: CheckupKind(rawValue: try row.decode("kind")) ?? .followUp,
                measurements: try Self.measurements(try row.decode("measurements", as: String.self)), diagnoses: try row.decode("diagnoses"),
                findings: try row.decode("findings"), followUpNeeded: try row.decode("follow_up_needed"), clinician: try row.decode("clinician"),
                receivedAt: try row.decode("received_at")
            )
        }
        let details = HealthView.Details(
            chronicConditions: try file?.decode("chronic_conditions", as: [String].self) ?? [], allergies: try file?.decode("allergies", as: [String].self) ?? [],
            notes: try file?.decode("notes", as: String?.self), disabilityType: try person.decode("disability_type"),
            disabilityGrade: try person.decode("disability_grade"), checkups: checkups, version: try file?.decode("version", as: Int.self) ?? 0
        )
        return HealthView(personId: id, summary: summary, details: details, limited: false)
    }

    static func measurements(_ json: String) throws -> [Measurement] {
        let object = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]]) ?? [:]
        return object.keys.sorted().compactMap { name in
            guard let entry = object[name], let value = (entry["value"] as? NSNumber)?.doubleValue, let unit = entry["unit"] as? String else { return nil }
            return Measurement(name: name, value: value, unit: unit)
        }
    }
}
