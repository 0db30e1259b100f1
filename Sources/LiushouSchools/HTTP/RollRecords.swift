import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// The body of a record about one child on a roll, written under a client-chosen id.
protocol RollRecordInput: Encodable {
    var id: UUID { get }
    var personId: UUID { get }
    /// The day the record is of, with its field: not before the child joined this school's roll.
    var dated: (field: String, on: LocalDate)? { get }
}

extension FamilyContactInput: RollRecordInput {
    var dated: (field: String, on: LocalDate)? { ("occurredOn", self.occurredOn) }
}
extension TalkInput: RollRecordInput {
    var dated: (field: String, on: LocalDate)? { ("talkedOn", self.talkedOn) }
}
extension LearningPlanInput: RollRecordInput {
    var dated: (field: String, on: LocalDate)? { nil }
}
extension CounsellingInput: RollRecordInput {
    var dated: (field: String, on: LocalDate)? { ("heldOn", self.heldOn) }
}

/// What the schools' routes share: records about a child on the caller's roll, a school's list of a
/// month and a child's list.
enum RollRecords {
    /// Writes a record about a child on the roll of one of the caller's schools: a retry with the same
    /// id and content answers the stored record, other content 409. `errors` are the body's own;
    /// `check` adds the record's further rules (or refuses), then `insert` stores it, followed by its
    /// timeline entry and audit entry when given. `stored` reads the record and its content hash.
    static func create<Input: RollRecordInput, Answer>(
        isolation: isolated (any Actor)? = #isolation,
        _ input: Input,
        record: String,
        primaryKey: String,
        errors: [Problem.FieldError],
        timeline: (kind: String, summary: String)?,
        database: TenantDatabase,
        caller: Caller,
        stored: (PostgresTransaction) async throws -> (answer: Answer, hash: Data)?,
        check: (RollMembership?, inout [Problem.FieldError], PostgresTransaction) async throws -> Void = { _, _, _ in },
        insert: (RollMembership, PostgresTransaction) async throws -> Void,
        audit: ((RollMembership) -> AuditEntry)? = nil
    ) async throws -> (answer: Answer, created: Bool) {
        try await DuplicateRetry.create(
            record: record,
            primaryKey: primaryKey,
            uniqueProblems: SchoolConstraints.problems,
            hash: ContentHash.of(input),
            database: database,
            caller: caller,
            stored: stored,
            write: { transaction in
                var errors = errors
                let membership = try await RollMembership.find(input.personId, caller: caller, in: transaction)
                if membership == nil { errors.append(.init(field: "personId", message: "is not on your school's roll")) }
                if let membership, let dated = input.dated, dated.on < membership.enrolledOn {
                    errors.append(.init(field: dated.field, message: "is before the child was enrolled here"))
                }
                try await check(membership, &errors, transaction)
                guard errors.isEmpty, let membership else { throw Problem.validation(errors) }
                try await insert(membership, transaction)
                if let timeline {
                    try await PersonTimeline.append(
                        .init(
                            person: input.personId,
                            module: "schools",
                            kind: timeline.kind,
                            summary: timeline.summary,
                            caller: caller,
                            record: input.id
                        ),
                        in: transaction
                    )
                }
                if let audit { try await audit(membership).append(in: transaction) }
                guard let answer = try await stored(transaction)?.answer else { throw Problem.internalError }
                return answer
            }
        )
    }

    /// `GET /v1/schools/:id/…?month=YYYY-MM`: `read` gives a school's items of the month (its first
    /// day and the next month's), for a school the caller reads.
    static func month<Item: Encodable>(
        isolation: isolated (any Actor)? = #isolation,
        _ request: Request,
        _ context: AppRequestContext,
        _ caller: Caller,
        database: TenantDatabase,
        today: LocalDate,
        read: (UUID, MonthParameter, PostgresTransaction) async throws -> [Item]
    ) async throws -> SchoolMonth<Item> {
        let id = try context.uuidParameter("id")
        let month = try MonthParameter.of(request, context: context, today: today)
        let items = try await database.transaction(for: caller) { transaction in
            _ = try await SchoolLookup.readable(id, by: caller, .schoolsRead, in: transaction)
            return try await read(id, month, transaction)
        }
        return SchoolMonth(schoolId: id, month: month.text, items: items)
    }

    /// A roll row the caller's school, or the town managing it, changes, with that school: 404 when
    /// the caller cannot see the row, 403 with `refusal` when it may not change it.
    static func writableEnrolment(
        _ id: UUID,
        by caller: Caller,
        in transaction: PostgresTransaction,
        else refusal: String
    ) async throws -> (enrolment: Enrolment, school: SchoolLookup) {
        guard let enrolment = try await RollStore.enrolment(id, in: transaction) else { throw Problem.notFound("No such enrolment.") }
        guard let school = try await SchoolLookup.find(enrolment.schoolId, in: transaction), school.writable(by: caller) else {
            throw Problem.forbidden(refusal)
        }
        return (enrolment, school)
    }
}

/// A school's items of a month.
struct SchoolMonth<Item: Encodable>: Encodable {
    var schoolId: UUID
    var month: String
    var items: [Item]
}
