import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/enrolments`, `/v1/schools/:id/roll`, `/v1/persons/:id/enrolments`: a school's roll of children
/// and each child's enrolment history.
struct EnrolmentController: Sendable {
    let database: TenantDatabase
    let clock: ChinaClock

    struct RollQuery: Decodable {
        /// Only the open rows (`open`, the default) or every row (`all`).
        var openOnly: Bool

        init(from decoder: any Decoder) throws {
            let values = try decoder.container(keyedBy: NamedKey.self)
            let scope = try values.parameter("status", { ["open", "all"].contains($0) ? $0 : nil }, message: "must be open or all") ?? "open"
            self.openOnly = scope == "open"
        }
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

    /// Puts a child on a school's roll; a retry with the same id and content answers the stored row.
    @Sendable func create(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let input = try await request.decodeJSON(as: EnrolmentInput.self, context: context)
        let today = self.clock.today()
        let (enrolment, created) = try await DuplicateRetry.once(primaryKey: "school_enrolment_pkey", uniqueProblems: SchoolConstraints.problems) {
            try await self.database.transaction(for: caller) { transaction in
                if let hash = try await RollStore.enrolmentHash(input.id, in: transaction) {
                    guard hash == ContentHash.of(input), let stored = try await RollStore.enrolment(input.id, in: transaction) else {
                        throw Problem.idConflict("enrolment")
                    }
                    // A retry answered from the stored row: its COMMIT waits for the standby too.
                    try await transaction.commitWaitsForStandby()
                    return (stored, false)
                }
                try await self.enrol(input, caller: caller, today: today, context: context, in: transaction)
                guard let stored = try await RollStore.enrolment(input.id, in: transaction) else { throw Problem.internalError }
                return (stored, true)
            }
        }
        return try JSONResponse(enrolment, status: created ? .created : .ok, headers: [.eTag: "\"\(enrolment.version)\""])
    }

    @Sendable func roll(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let query = try request.uri.decodeQuery(as: RollQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
            return try await RollStore.roll(id, openOnly: query.openOnly, in: transaction)
        }
        return try JSONResponse(Roll(schoolId: id, items: items))
    }

    @Sendable func history(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let history = try await self.database.transaction(for: caller) { transaction in
            guard try await SchoolLookup.personVisible(id, in: transaction) else { throw Problem.noSuchPerson }
            let items = try await RollStore.enrolments(ofPerson: id, in: transaction)
            let changes = try await RollStore.changes(ofPerson: id, in: transaction)
            return History(personId: id, items: items, changes: changes)
        }
        return try JSONResponse(history)
    }

    /// Checks and inserts a new roll row, with its timeline event and audit entry.
    private func enrol(
        _ input: EnrolmentInput,
        caller: Caller,
        today: LocalDate,
        context: AppRequestContext,
        in transaction: PostgresTransaction
    ) async throws {
        var errors = SchoolRules.problems(input, today: today)
        let school = try await SchoolLookup.find(input.schoolId, in: transaction)
        if school?.writable(by: caller) != true {
            errors.append(.init(field: "schoolId", message: "is not a school you work at or manage"))
        }
        let person = try await RollStore.candidate(input.personId, school: input.schoolId, in: transaction)
        if person?.status != "active" || person?.enrollable != true {
            errors.append(.init(field: "personId", message: "no such active child you can see"))
        } else if let categories = person?.categories, !categories.contains("left_behind_child"), !categories.contains("child_in_difficulty") {
            errors.append(.init(field: "personId", message: "is not filed as a left-behind child or a child in difficulty"))
        } else if let born = person?.birthDate, input.enrolledOn < born {
            errors.append(.init(field: "enrolledOn", message: "is before the person's birth"))
        }
        // Staff are looked up only at a school the caller may write to (elsewhere it would tell who works there).
        if let teacher = input.classTeacherId, school?.writable(by: caller) == true,
            try await !SchoolLookup.isStaff(teacher, at: input.schoolId, in: transaction)
        {
            errors.append(.init(field: "classTeacherId", message: "is not staff of the school"))
        }
        guard errors.isEmpty, let school else { throw Problem.validation(errors) }
        try await RollStore.insert(input, caller: caller, in: transaction)
        try await PersonTimeline.append(
            .init(
                person: input.personId,
                module: "schools",
                kind: "school.enrolled",
                summary: "入学登记：\(school.name)，\(input.grade) 年级",
                caller: caller,
                record: input.id
            ),
            in: transaction
        )
        try await AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: "school.enrol",
            resource: "school_enrolment",
            recordID: input.id.uuidString.lowercased(),
            unitID: school.id,
            unitPath: school.path
        ).append(in: transaction)
    }
}
