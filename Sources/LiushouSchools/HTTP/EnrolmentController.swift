import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres
import LiushouRegistry

/// `/v1/enrolments`, `/v1/schools/:id/roll`, `/v1/persons/:id/enrolments`: a school's roll of children
/// and each child's enrolment history.
public struct EnrolmentController: Sendable {
    let database: TenantDatabase

    /// A controller.
    public init(database: TenantDatabase) {
        self.database = database
    }

    struct Roll: Encodable {
        var schoolId: UUID
        var items: [Enrolment]
    }

    struct History: Encodable {
        var personId: UUID
        var items: [Enrolment]
        var changes: [StatusChange]
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/enrolments", .permission(.schoolsManage)) { request, context, caller in
            let input = try await request.decodeJSON(as: EnrolmentInput.self, context: context)
            let today = PersonValidator.chinaToday()
            let (enrolment, created) = try await DuplicateRetry.once(primaryKey: "school_enrolment_pkey", uniqueProblems: SchoolConstraints.problems) {
                try await self.database.transaction(for: caller) { transaction in
                    if let row = try await transaction.query("select content_hash from school_enrolment where id = \(input.id)").first {
                        guard try row.decode("content_hash", as: Data.self) == ContentHash.of(input),
                            let stored = try await RollStore.enrolment(input.id, in: transaction)
                        else { throw Problem.idConflict("enrolment") }
                        return (stored, false)
                    }
                    try await self.enrol(input, caller: caller, today: today, context: context, in: transaction)
                    guard let stored = try await RollStore.enrolment(input.id, in: transaction) else { throw Problem.internalError }
                    return (stored, true)
                }
            }
            return try JSONResponse(enrolment, status: created ? .created : .ok, headers: [.eTag: "\"\(enrolment.version)\""])
        }
        routes.on(.get, "/v1/schools/:id/roll", .permission(.schoolsRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let scope = request.uri.queryParameters["status"].map(String.init) ?? "open"
            guard ["open", "all"].contains(scope) else {
                throw Problem.badRequest("status is invalid.", errors: [.init(field: "status", message: "must be open or all")])
            }
            let items = try await self.database.transaction(for: caller) { transaction in
                _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
                let open: SQLQuery = scope == "open" ? "and e.ended_on is null" : ""
                return try await RollStore.enrolments(where: "e.school_id = \(id) \(open)", in: transaction)
            }
            return try JSONResponse(Roll(schoolId: id, items: items))
        }
        routes.on(.get, "/v1/persons/:id/enrolments", .permission(.schoolsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let history = try await self.database.transaction(for: caller) { transaction in
                guard try await transaction.query("select 1 from person where id = \(id)").first != nil else { throw Problem.notFound("No such person.") }
                let items = try await transaction.query("""
                    select \(RollStore.enrolmentColumns) from school_enrolment e left join person p on p.id = e.person_id
                    where e.person_id = \(id) order by e.enrolled_on, e.created_at
                    """).map(RollStore.enrolment)
                var changes: [StatusChange] = []
                for row in try await transaction.query("""
                    select c.id from school_status_change c where c.person_id = \(id) order by c.effective_on, c.recorded_at
                    """) {
                    if let change = try await RollStore.change(try row.decode("id", as: UUID.self), in: transaction) { changes.append(change.change) }
                }
                return History(personId: id, items: items, changes: changes)
            }
            return try JSONResponse(history)
        }
    }

    /// Checks and inserts a new roll row, with its timeline event and audit entry.
    private func enrol(_ input: EnrolmentInput, caller: Caller, today: LocalDate, context: AppRequestContext, in transaction: PostgresTransaction) async throws {
        var errors = SchoolRules.problems(input, today: today)
        let school = try await SchoolLookup.find(input.schoolId, in: transaction)
        if school?.writable(by: caller) != true {
            errors.append(.init(field: "schoolId", message: "is not a school you work at or manage"))
        }
        // A school enrols a child its file names at the school; the town or county any child of theirs (as the insert policy says).
        let person = try await transaction.query("""
            select name, status, categories, school_id = \(input.schoolId) or liushou_unit_in_scope(unit_id, 'person_area') as enrollable
            from person where id = \(input.personId)
            """).first
        if try person?.decode("status", as: String.self) != "active" || person?.decode("enrollable", as: Bool?.self) != true {
            errors.append(.init(field: "personId", message: "no such active child you can see"))
        } else if let categories = try person?.decode("categories", as: [String].self),
            !categories.contains("left_behind_child"), !categories.contains("child_in_difficulty") {
            errors.append(.init(field: "personId", message: "is not filed as a left-behind child or a child in difficulty"))
        }
        if let teacher = input.classTeacherId, try await transaction.query("""
            select liushou_is_school_staff(\(teacher), \(input.schoolId)) as staff
            """).first?.decode("staff", as: Bool.self) != true {
            errors.append(.init(field: "classTeacherId", message: "is not staff of the school"))
        }
        guard errors.isEmpty, let school else { throw Problem.validation(errors) }
        try await transaction.query("""
            insert into school_enrolment (id, person_id, school_id, stage, grade, class_name, class_teacher_id, boarding, enrolled_on, status,
                content_hash, created_by)
            values (\(input.id), \(input.personId), \(input.schoolId), \(input.stage.rawValue), \(input.grade),
                \(input.className?.trimmingCharacters(in: .whitespacesAndNewlines)), \(input.classTeacherId), \(input.boarding), \(input.enrolledOn),
                'enrolled', \(ContentHash.of(input)), \(caller.accountID))
            """)
        try await Timeline.add(input.personId, kind: "school.enrolled", summary: "入学登记：\(school.name)，\(input.grade) 年级", caller: caller,
                               record: input.id, in: transaction)
        try await AuditEntry(caller: caller, context: context, action: "school.enrol", resource: "school_enrolment",
                             recordID: input.id.uuidString.lowercased(), unitID: school.id, unitPath: school.path).append(in: transaction)
    }
}
