import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// `/v1/persons`: create, read, update, exit, re-activate, check, list, history and timeline of person files.
public struct PersonController: Sendable {
    let database: TenantDatabase
    let service: PersonService
    let repository: any PersonRepository

    /// A controller.
    public init(database: TenantDatabase, service: PersonService, repository: any PersonRepository) {
        self.database = database
        self.service = service
        self.repository = repository
    }

    /// Adds the routes.
    public func addRoutes(to routes: SecuredRoutes) {
        routes.on(.post, "/v1/persons", .permission(.personsWrite)) { request, context, caller in
            let body = try await request.decodeJSON(as: CreatePersonRequest.self, context: context)
            let id = body.id ?? UUID()
            let (record, outcome) = try await self.database.transaction(for: caller) { transaction in
                try await self.service.create(id: id, file: body.file, caller: caller, origin: AuditOrigin(context), in: transaction)
            }
            var headers = Self.headers(record)
            headers[.location] = "/v1/persons/\(id.uuidString.lowercased())"
            return try JSONResponse(Self.view(record, caller: caller, revealed: false), status: outcome == .created ? .created : .ok, headers: headers)
        }
        routes.on(.get, "/v1/persons", .permission(.personsRead)) { request, context, caller in
            var query = try PersonListParameters.query(from: request, caller: caller)
            let limit = query.limit
            query.limit = limit + 1
            let rows = try await self.database.transaction(for: caller) { transaction in
                let rows = try await self.repository.list(query, in: transaction)
                if rows.contains(where: { $0.categories.contains(where: \.isChild) }) {
                    // Children's personal information is sensitive: who listed whose files is logged.
                    let home = caller.grants.first
                    try await AuditEntry(caller: caller, context: context, action: "person.list", resource: "person", unitID: home?.unitID,
                                         unitPath: home?.unitPath, detail: ["rows": String(min(rows.count, limit))]).append(in: transaction)
                }
                return rows
            }
            let items = Array(rows.prefix(limit))
            let next = rows.count > limit ? items.last.map { Cursor.encode(PersonCursor(name: $0.name, id: $0.id)) } : nil
            return try JSONResponse(Page(items: items, nextCursor: next))
        }
        routes.on(.get, "/v1/persons/:id", .permission(.personsRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let disclosure = try IdentifierDisclosure(request: request)
            let (record, revealed) = try await self.database.transaction(for: caller) { transaction in
                let record = try await self.service.visible(id, in: transaction)
                let revealed = try await disclosure.authorize(
                    caller: caller, unitID: record.file.gridId ?? record.file.villageId, unitPath: record.unitPath, resource: "person",
                    recordID: id.uuidString.lowercased(), context: context, transaction: transaction
                )
                try await Self.auditRead("person.view", record, caller: caller, context: context, in: transaction)
                return (record, revealed)
            }
            return try JSONResponse(Self.view(record, caller: caller, revealed: revealed), headers: Self.headers(record))
        }
        routes.on(.put, "/v1/persons/:id", .permission(.personsWrite)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let file = try await request.decodeJSON(as: PersonFile.self, context: context)
            let (record, _) = try await self.database.transaction(for: caller) { transaction in
                try await self.service.update(id: id, file: file, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
            }
            return try JSONResponse(Self.view(record, caller: caller, revealed: false), headers: Self.headers(record))
        }
        routes.on(.post, "/v1/persons/:id/exit", .permission(.personsWrite)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let body = try await request.decodeJSON(as: ExitPersonRequest.self, context: context)
            let record = try await self.database.transaction(for: caller) { transaction in
                try await self.service.exit(id: id, reason: body.reason, on: body.exitedOn, expectedVersion: version, caller: caller,
                                            origin: AuditOrigin(context), in: transaction)
            }
            return try JSONResponse(Self.view(record, caller: caller, revealed: false), headers: Self.headers(record))
        }
        routes.on(.post, "/v1/persons/:id/reactivate", .permission(.personsWrite)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let record = try await self.database.transaction(for: caller) { transaction in
                try await self.service.reactivate(id: id, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
            }
            return try JSONResponse(Self.view(record, caller: caller, revealed: false), headers: Self.headers(record))
        }
        routes.on(.post, "/v1/persons/:id/check", .permission(.personsCheck)) { request, context, caller in
            let id = try context.uuidParameter("id")
            let version = try request.ifMatchVersion()
            let record = try await self.database.transaction(for: caller) { transaction in
                try await self.service.check(id: id, expectedVersion: version, caller: caller, origin: AuditOrigin(context), in: transaction)
            }
            return try JSONResponse(Self.view(record, caller: caller, revealed: false), headers: Self.headers(record))
        }
        routes.on(.get, "/v1/persons/:id/history", .permission(.personsRead)) { _, context, caller in
            let id = try context.uuidParameter("id")
            let changes = try await self.database.transaction(for: caller) { transaction in
                let record = try await self.service.visible(id, in: transaction)
                // The field history holds what the reduced view leaves out (notes, assistance, health).
                guard Self.isUnitStaff(caller, of: record) else {
                    throw Problem(status: .forbidden, code: "forbidden", title: "Not allowed",
                                  detail: "A file's history is for the staff of the person's unit.")
                }
                let changes = try await self.repository.history(of: id, limit: 1000, in: transaction)
                try await Self.auditRead("person.history", record, caller: caller, context: context, in: transaction)
                return changes
            }
            return try JSONResponse(Page(items: changes, nextCursor: nil))
        }
        routes.on(.get, "/v1/persons/:id/timeline", .permission(.personsRead)) { request, context, caller in
            let id = try context.uuidParameter("id")
            var before: (Date, UUID)? = nil
            if let text = request.uri.queryParameters["cursor"] {
                guard let cursor = Cursor.decode(String(text), as: TimelineCursor.self) else {
                    throw Problem.badRequest("cursor is invalid.", errors: [.init(field: "cursor", message: "must be a cursor from a previous page")])
                }
                before = (cursor.at, cursor.id)
            }
            let limit = 50
            let events = try await self.database.transaction(for: caller) { transaction in
                _ = try await self.service.visible(id, in: transaction)
                return try await self.repository.timeline(of: id, before: before, limit: limit + 1, in: transaction)
            }
            let items = Array(events.prefix(limit))
            let next = events.count > limit ? items.last.map { Cursor.encode(TimelineCursor(at: $0.at, id: $0.id)) } : nil
            return try JSONResponse(Page(items: items, nextCursor: next))
        }
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

    /// Logs a read of a child's file (children's personal information is sensitive: PIPL art. 28, 31).
    static func auditRead(
        _ action: String, _ record: PersonRecord, caller: Caller, context: AppRequestContext, in transaction: PostgresTransaction
    ) async throws {
        guard record.file.activeCategories.contains(where: \.isChild) else { return }
        try await AuditEntry(caller: caller, context: context, action: action, resource: "person", recordID: record.id.uuidString.lowercased(),
                             unitID: record.file.gridId ?? record.file.villageId, unitPath: record.unitPath).append(in: transaction)
    }

    static func headers(_ record: PersonRecord) -> HTTPFields {
        [.eTag: "\"\(record.version)\""]
    }
}
