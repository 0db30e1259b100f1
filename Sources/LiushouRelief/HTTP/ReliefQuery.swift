import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPostgres

/// Query parameters and unit look-ups shared by the relief routes.
enum ReliefQuery {
    /// A required UUID query parameter (400 naming it otherwise).
    static func uuid(_ name: String, in request: Request) throws -> UUID {
        guard let text = request.uri.queryParameters[name[...]], let id = UUID(uuidString: String(text)) else {
            throw Problem.badRequest("\(name) is required.", errors: [.init(field: name, message: "must be a UUID")])
        }
        return id
    }

    /// An optional UUID query parameter.
    static func optionalUUID(_ name: String, in request: Request) throws -> UUID? {
        guard request.uri.queryParameters[name[...]] != nil else { return nil }
        return try self.uuid(name, in: request)
    }

    /// A unit's path and kind when the caller holds `permission` there; 404 otherwise (existence not revealed).
    static func unit(_ id: UUID, caller: Caller, permission: Permission, in transaction: PostgresTransaction) async throws -> (path: String, kind: String) {
        guard let row = try await transaction.query("select path::text as path, kind from org_unit where id = \(id)").first else {
            throw Problem.notFound("No such unit.")
        }
        let path = try row.decode("path", as: String.self)
        guard caller.holds(permission, at: path) else { throw Problem.notFound("No such unit.") }
        return (path, try row.decode("kind", as: String.self))
    }

    /// Today in China Standard Time (dates are kept and shown in CST).
    static func today(now: Date = Date()) -> LocalDate {
        LocalDate(daysSince1970: Int((now.timeIntervalSince1970 + 8 * 3600) / 86_400))
    }
}
