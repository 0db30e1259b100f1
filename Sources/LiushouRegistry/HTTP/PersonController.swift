import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/persons`: create, read, update, exit, re-activate, check, list, history and timeline of person files.
struct PersonController: Sendable {
    let database: TenantDatabase
    let service: PersonService
    let repository: any PersonRepository

    /// `GET /v1/persons/{id}/timeline`'s query.
    struct TimelineQuery: Decodable {
        var cursor: String?
    }

    /// Files a person under a client-chosen id (201), or answers the stored file for a repeat (200).
    @Sendable func create(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let body = try await request.decodeJSON(as: CreatePersonRequest.self, context: context)
        let id = try request.createdID(body.id, by: caller)
        let (record, outcome) = try await DuplicateRetry.once(
            primaryKey: "person_pkey",
            record: "file",
            alsoRetrying: ["person_active_id_number"],
            uniqueProblems: ["person_active_id_number": PersonService.duplicate(nil).problem]
        ) {
            try await self.database.transaction(for: caller) { transaction in
                try await self.service.create(id: id, file: body.file, caller: caller, origin: AuditOrigin(context), in: transaction)
            }
        }
        var headers = Self.headers(record)
        headers[.location] = "/v1/persons/\(id.uuidString.lowercased())"
        return try JSONResponse(Self.view(record, caller: caller, revealed: false), status: outcome == .created ? .created : .ok, headers: headers)
    }

    /// A page of the files the caller sees, by name; listing children's files is audited.
    @Sendable func list(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        var query = try request.uri.decodeQuery(as: PersonListQuery.self, context: context).scoped(to: caller)
        let limit = query.limit
        query.limit = limit + 1
        let rows = try await self.database.transaction(for: caller) { transaction in
            let rows = try await self.repository.list(query, in: transaction)
            if rows.contains(where: { $0.categories.contains(where: \.isChild) }) {
                // Children's personal information is sensitive: who listed whose files is logged.
                let home = caller.grants.first
                try await AuditEntry(
                    caller: caller,
                    origin: AuditOrigin(context),
                    action: "person.list",
                    resource: "person",
                    unitID: home?.unitID,
                    unitPath: home?.unitPath,
                    detail: ["rows": String(min(rows.count, limit))]
                ).append(in: transaction)
            }
            return rows
        }
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { Cursor.encode(PersonCursor(name: $0.name, id: $0.id)) } : nil
        return try JSONResponse(Page(items: items, nextCursor: next))
    }

    /// One file, identifiers masked unless a reveal is asked for and allowed.
    @Sendable func read(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let disclosure = try IdentifierDisclosure(request: request)
        let (record, revealed) = try await self.database.transaction(for: caller) { transaction in
            try await Self.disclosed(id, disclosure, action: "person.view", service: self.service, caller: caller, context: context, in: transaction)
        }
        return try JSONResponse(Self.view(record, caller: caller, revealed: revealed), headers: Self.headers(record))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (id, version) = try Self.target(request, context)
        let file = try await request.decodeJSON(as: PersonFile.self, context: context)
        return try await self.changed(caller) { transaction in
            try await self.service.update(id: id, file: file, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
                .0
        }
    }

    @Sendable func exit(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (id, version) = try Self.target(request, context)
        let body = try await request.decodeJSON(as: ExitPersonRequest.self, context: context)
        return try await self.changed(caller) { transaction in
            try await self.service.exit(
                id: id,
                reason: body.reason,
                on: body.exitedOn,
                expectedVersion: version,
                caller: caller,
                origin: AuditOrigin(context),
                in: transaction
            )
        }
    }

    @Sendable func reactivate(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (id, version) = try Self.target(request, context)
        return try await self.changed(caller) { transaction in
            try await self.service.reactivate(id: id, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
        }
    }

    /// Marks the file checked (核查) by someone other than who filled it.
    @Sendable func check(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let (id, version) = try Self.target(request, context)
        return try await self.changed(caller) { transaction in
            try await self.service.check(id: id, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
        }
    }

    /// The file a change names (the path's `id`) and the version it was made on (`If-Match`), read
    /// before the body as every change of a file reads them.
    private static func target(_ request: Request, _ context: AppRequestContext) throws -> (id: UUID, version: Int) {
        (try context.uuidParameter("id"), try request.ifMatchVersion())
    }

    /// Runs `change` in the caller's transaction and answers the changed file's reduced view.
    private func changed(
        _ caller: Caller,
        _ change: @escaping @Sendable (PostgresTransaction) async throws -> PersonRecord
    ) async throws -> JSONResponse {
        let record = try await self.database.transaction(for: caller) { transaction in
            try await change(transaction)
        }
        return try JSONResponse(Self.view(record, caller: caller, revealed: false), headers: Self.headers(record))
    }

    /// The field history, for the staff of the person's unit only: it holds what the reduced view
    /// leaves out (notes, assistance, health).
    @Sendable func history(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let changes = try await self.database.transaction(for: caller) { transaction in
            let record = try await self.service.visible(id, in: transaction)
            guard Self.isUnitStaff(caller, of: record) else {
                throw Problem.forbidden("A file's history is for the staff of the person's unit.")
            }
            let changes = try await self.repository.history(of: id, limit: 1000, in: transaction)
            try await Self.auditRead("person.history", record, caller: caller, context: context, in: transaction)
            return changes
        }
        return try JSONResponse(Page(items: changes, nextCursor: nil))
    }

    /// The person's timeline, newest first, 50 a page.
    @Sendable func timeline(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        var before: (Date, UUID)? = nil
        if let text = try request.uri.decodeQuery(as: TimelineQuery.self, context: context).cursor {
            guard let cursor = Cursor.decode(text, as: TimelineCursor.self) else {
                throw Problem.badRequest("cursor is invalid.", errors: [.init(field: "cursor", message: "must be a cursor from a previous page")])
            }
            before = (cursor.at, cursor.id)
        }
        let limit = 50
        let events = try await self.database.transaction(for: caller) { transaction in
            let record = try await self.service.visible(id, in: transaction)
            return try await self.repository.timeline(
                of: id,
                before: before,
                limit: limit + 1,
                hiding: Self.modulesHidden(from: caller, unitPath: record.unitPath),
                in: transaction
            )
        }
        let items = Array(events.prefix(limit))
        let next = events.count > limit ? items.last.map { Cursor.encode(TimelineCursor(at: $0.at, id: $0.id)) } : nil
        return try JSONResponse(Page(items: items, nextCursor: next))
    }

    /// The timeline's modules hidden from a caller who sees the person only through a pairing or a
    /// school: checkups, whose kinds, dates and follow-up flags are what the health view leaves out
    /// of such a helper's summary (a serving clinic's staff, who read health details, see them).
    /// Staff of the person's own units read every entry; legal aid and relief entries name only the
    /// stage, which every viewer of the person may see.
    static func modulesHidden(from caller: Caller, unitPath: String) -> [String] {
        caller.covers(unitPath, in: .personArea) || caller.holds(.healthDetails) ? [] : ["health"]
    }

    /// The file as this caller may see it: identifiers masked unless revealed, and the reduced file
    /// for those who see the person only through a school, clinic or pairing.
    /// Without a reveal the exact birth date is left out too: with the masked ID number (first 6 and
    /// last 4 characters) it would give the whole number back; `birthYear` stays.
    static func view(_ record: PersonRecord, caller: Caller, revealed: Bool) -> PersonRecord {
        var view = record
        view.birthYear = record.file.birthDate?.year
        if !caller.covers(record.unitPath, in: .personArea) {
            view.file = record.file.limited().masked()
        } else if !revealed {
            view.file = record.file.masked()
        }
        if view.file != record.file {
            view.file.birthDate = nil
        }
        return view
    }

    /// Whether the caller sees the person as staff of its unit (not through a school, clinic or pairing).
    static func isUnitStaff(_ caller: Caller, of record: PersonRecord) -> Bool {
        caller.covers(record.unitPath, in: .personArea)
    }

    /// A file the caller can see and whether its identifiers are revealed to them (a reveal asked
    /// for and allowed, and audited), with the read of a child's file audited as `action`.
    static func disclosed(
        _ id: UUID,
        _ disclosure: IdentifierDisclosure,
        action: String,
        service: PersonService,
        caller: Caller,
        context: AppRequestContext,
        in transaction: PostgresTransaction
    ) async throws -> (PersonRecord, Bool) {
        let record = try await service.visible(id, in: transaction)
        let revealed = try await disclosure.authorize(
            caller: caller,
            unitID: record.file.gridId ?? record.file.villageId,
            unitPath: record.unitPath,
            resource: "person",
            recordID: id.uuidString.lowercased(),
            context: context,
            transaction: transaction
        )
        try await Self.auditRead(action, record, caller: caller, context: context, in: transaction)
        return (record, revealed)
    }

    /// Logs a read of a child's file (children's personal information is sensitive: PIPL art. 28, 31).
    static func auditRead(
        _ action: String,
        _ record: PersonRecord,
        caller: Caller,
        context: AppRequestContext,
        in transaction: PostgresTransaction
    ) async throws {
        guard record.file.activeCategories.contains(where: \.isChild) else { return }
        try await AuditEntry(
            caller: caller,
            origin: AuditOrigin(context),
            action: action,
            resource: "person",
            recordID: record.id.uuidString.lowercased(),
            unitID: record.file.gridId ?? record.file.villageId,
            unitPath: record.unitPath
        ).append(in: transaction)
    }

    static func headers(_ record: PersonRecord) -> HTTPFields {
        [.eTag: "\"\(record.version)\""]
    }
}
