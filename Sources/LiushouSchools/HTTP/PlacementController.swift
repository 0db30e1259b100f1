import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `PUT /v1/enrolments/:id`: a child's placement on an open roll row — stage, grade, class, class
/// teacher, boarding (a new school year, or the receiving school's class after a transfer).
struct PlacementController: Sendable {
    let database: TenantDatabase

    /// Replaces the placement (`If-Match` the row's version).
    @Sendable func place(_ request: Request, _ context: AppRequestContext, _ caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let input = try await request.decodeJSON(as: Placement.self, context: context)
        var errors: [Problem.FieldError] = []
        if !(1...input.stage.maxGrade).contains(input.grade) {
            errors.append(.init(field: "grade", message: "must be 1 to \(input.stage.maxGrade) for stage \(input.stage.rawValue)"))
        }
        SchoolRules.text(input.className, "className", max: 30, into: &errors)
        let enrolment = try await self.database.transaction(for: caller) { [errors] transaction in
            var errors = errors
            let (enrolment, school) = try await RollRecords.writableEnrolment(
                id,
                by: caller,
                in: transaction,
                else: "The school or the town managing it places children."
            )
            if let teacher = input.classTeacherId, try await !SchoolLookup.isStaff(teacher, at: enrolment.schoolId, in: transaction) {
                errors.append(.init(field: "classTeacherId", message: "is not staff of the school"))
            }
            if !errors.isEmpty { throw Problem.validation(errors) }
            guard let current = try await RollStore.lockedVersion(id, in: transaction) else { throw Problem.notFound("No such enrolment.") }
            guard current == version else { throw Problem.versionMismatch("enrolment", current: current) }
            guard enrolment.status.isOpen else {
                throw Problem(status: .conflict, code: "enrolment_closed", title: "The child has left this school's roll")
            }
            try await RollStore.place(id, input, in: transaction)
            try await AuditEntry(
                caller: caller,
                origin: AuditOrigin(context),
                action: "school.placement",
                resource: "school_enrolment",
                recordID: id.uuidString.lowercased(),
                unitID: school.id,
                unitPath: school.path
            ).append(in: transaction)
            guard let updated = try await RollStore.enrolment(id, in: transaction) else { throw Problem.internalError }
            return updated
        }
        return try JSONResponse(enrolment, headers: [.eTag: "\"\(enrolment.version)\""])
    }
}
