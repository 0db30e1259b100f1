import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/persons/:id/health`: a person's health as the caller may see it (summary for everyone who
/// sees the person; clinical details, audited, for staff of a clinic serving the person's village),
/// and the clinic's changes to the standing health file.
struct HealthFileController: Sendable {
    let database: TenantDatabase
    let store: HealthStore
    let clock: ChinaClock

    /// The person's health view; reading the clinical details is audited.
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let view = try await self.database.transaction(for: caller) { transaction in
            let view = try await self.store.view(of: id, caller: caller, today: self.clock.today(), in: transaction)
            if view.details != nil {
                try await self.audit("health.read", person: id, caller: caller, context: context, in: transaction)
            }
            return view
        }
        return try JSONResponse(view, headers: view.details.map { [.eTag: "\"\($0.version)\""] } ?? [:])
    }

    /// Creates (`If-Match: "0"`) or changes the standing health file; only a serving clinic's staff may.
    @Sendable func change(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let version = try request.ifMatchVersion()
        let input = try await request.decodeJSON(as: HealthFileInput.self, context: context)
        var errors: [Problem.FieldError] = []
        for (field, items) in [("chronicConditions", input.chronicConditions), ("allergies", input.allergies)]
        where items.count > 30 || items.contains(where: { $0.trimmingSpaces().isEmpty || $0.unicodeScalars.count > 100 }) {
            errors.append(.init(field: field, message: "at most 30 entries of 1 to 100 characters each"))
        }
        if (input.notes?.unicodeScalars.count ?? 0) > 2000 { errors.append(.init(field: "notes", message: "must have at most 2000 characters")) }
        if !errors.isEmpty { throw Problem.validation(errors) }
        let view = try await self.database.transaction(for: caller) { transaction in
            guard try await self.store.personExists(id, in: transaction) else { throw Problem.noSuchPerson }
            guard try await self.store.isServedByMyClinic(id, in: transaction) else {
                throw Problem.forbidden("Only staff of a clinic serving the person's village keep the health file.")
            }
            // The first version: exactly one of two concurrent creators wins.
            let written =
                version == 0
                ? try await self.store.createFile(of: id, input, by: caller, in: transaction)
                : try await self.store.updateFile(of: id, at: version, to: input, by: caller, in: transaction)
            if !written {
                let current = try await self.store.fileVersion(of: id, in: transaction)
                throw Problem.versionMismatch("health file", current: current ?? 0)
            }
            try await self.audit("health.file_change", person: id, caller: caller, context: context, in: transaction)
            return try await self.store.view(of: id, caller: caller, today: self.clock.today(), in: transaction)
        }
        return try JSONResponse(view, headers: view.details.map { [.eTag: "\"\($0.version)\""] } ?? [:])
    }

    /// An audit entry about a person's health, filed under the person's unit (so auditors of that unit find it).
    private func audit(_ action: String, person: UUID, caller: Caller, context: AppRequestContext, in transaction: PostgresTransaction) async throws {
        let unit = try await self.store.unit(ofPerson: person, in: transaction)
        try await AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: action,
            resource: "person",
            recordID: person.uuidString.lowercased(),
            unitID: unit?.id,
            unitPath: unit?.path
        ).append(in: transaction)
    }
}
