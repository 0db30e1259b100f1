import Foundation
import HTTPTypes
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// A person's visit obligations, the caller's tasks for today and a unit's overdue list.
struct ObligationController: Sendable {
    let database: TenantDatabase
    let store: ObligationStore

    struct TaskList: Encodable {
        var items: [ObligationStore.Task]
        /// Obligations due before this instant are listed (the end of today, China time).
        var dueBefore: Date
        var truncated: Bool
    }

    @Sendable func obligations(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let id = try context.uuidParameter("id")
        let items = try await self.database.transaction(for: caller) { transaction in
            try await self.store.obligations(of: id, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// The field app's 今日任务: obligations the caller's kinds of check satisfy, due by the end of the day asked for.
    @Sendable func tasks(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: TaskQuery.self, context: context).validated()
        let kinds = Self.kinds(of: caller).filter { query.kind == nil || $0 == query.kind }
        let dueBefore = Self.endOfChinaDay(after: query.days)
        let items = try await self.database.transaction(for: caller) { transaction -> [ObligationStore.Task] in
            var units: [UUID]? = nil
            if let unitID = query.unitId {
                guard let found = try await self.store.unitScope(unitID, in: transaction) else { throw Problem.noSuchUnit }
                units = found.units
            }
            guard !kinds.isEmpty else { return [] }
            return try await self.store.tasks(
                for: caller,
                kinds: kinds,
                units: units,
                dueBefore: dueBefore,
                limit: query.limit + 1,
                in: transaction
            )
        }
        return try JSONResponse(TaskList(items: Array(items.prefix(query.limit)), dueBefore: dueBefore, truncated: items.count > query.limit))
    }

    /// Overdue obligations under a unit the caller reads visits of.
    @Sendable func overdue(_ request: Request, context: AppRequestContext, caller: Caller) async throws -> JSONResponse {
        let query = try request.uri.decodeQuery(as: OverdueQuery.self, context: context)
        let items = try await self.database.transaction(for: caller) { transaction in
            guard let scope = try await self.store.unitScope(query.unitId, in: transaction), caller.holds(.visitsRead, at: scope.path) else {
                throw Problem.noSuchUnit
            }
            return try await self.store.overdue(under: scope.units, limit: query.limit, in: transaction)
        }
        return try JSONResponse(Items(items: items))
    }

    /// The check kinds a caller's roles make.
    static func kinds(of caller: Caller) -> [String] {
        let roles = Set(caller.grants.map(\.role))
        var kinds: [CheckKind] = []
        if !roles.isDisjoint(with: [.villageCadre, .childWelfareSupervisor, .townAdmin, .countyAdmin]) { kinds.append(.cadreVisit) }
        if !roles.isDisjoint(with: [.gridWorker, .villageCadre]) { kinds.append(.gridKnock) }
        if roles.contains(.volunteer) { kinds.append(.volunteerVisit) }
        if roles.contains(.schoolStaff) { kinds.append(.teacherHomeVisit) }
        return kinds.map(\.rawValue)
    }

    /// The end of the China day `days` after today.
    static func endOfChinaDay(after days: Int, from now: Date = Date()) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let start = calendar.startOfDay(for: now)
        return calendar.date(byAdding: .day, value: days + 1, to: start)!
    }
}

/// `GET /v1/tasks` parameters as sent: `kind` (one check kind), `unitId` (only under this unit),
/// `days` (0: due by the end of today, China time; up to 7), `limit` (1–2000, default 1000).
/// `validated()` checks them all at once (400 naming each bad one).
struct TaskQuery: Decodable {
    var kind: String?
    var unitId: String?
    var days: String?
    var limit: String?

    struct Valid {
        var kind: String?
        var unitId: UUID?
        var days: Int
        var limit: Int
    }

    func validated() throws -> Valid {
        var errors: [Problem.FieldError] = []
        var valid = Valid(kind: self.kind, unitId: nil, days: 0, limit: 1000)
        if let kind = self.kind, CheckKind(rawValue: kind) == nil {
            errors.append(.init(field: "kind", message: "must be one of " + CheckKind.allCases.map(\.rawValue).joined(separator: ", ")))
        }
        if let text = self.unitId {
            valid.unitId = UUID(canonical: text)
            if valid.unitId == nil { errors.append(.init(field: "unitId", message: "must be a UUID")) }
        }
        if let text = self.days {
            if let value = Int(text), (0...7).contains(value) {
                valid.days = value
            } else {
                errors.append(.init(field: "days", message: "must be 0 to 7"))
            }
        }
        if let text = self.limit {
            if let value = Int(text), (1...2000).contains(value) {
                valid.limit = value
            } else {
                errors.append(.init(field: "limit", message: "must be 1 to 2000"))
            }
        }
        guard errors.isEmpty else { throw Problem.badRequest("The query is invalid.", errors: errors) }
        return valid
    }
}

/// `GET /v1/overdue`'s query: `unitId` (required), `limit` (1–1000, default 200).
struct OverdueQuery: Decodable {
    var unitId: UUID
    var limit: Int

    init(from decoder: any Decoder) throws {
        let query = try decoder.container(keyedBy: NamedKey.self)
        self.unitId = try query.required("unitId", UUID.init(canonical:), message: "must be a UUID")
        self.limit = try query.integer("limit", in: 1...1000, default: 200)
    }
}
