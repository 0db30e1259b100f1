import Foundation
import Hummingbird
import LiushouAccess
import LiushouHTTP
import LiushouPlatform
import LiushouPostgres

/// Query parameters shared by the legal-aid lists and indicators.
enum LegalQuery {
    /// The `unitId` parameter.
    static func unit(_ request: Request, required: Bool) throws -> UUID? {
        guard let text = request.uri.queryParameters["unitId"] else {
            if required { throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")]) }
            return nil
        }
        guard let id = UUID(uuidString: String(text)) else {
            throw Problem.badRequest("unitId is invalid.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
        }
        return id
    }

    /// A date parameter (YYYY-MM-DD).
    static func date(_ request: Request, _ name: String) throws -> LocalDate? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let date = LocalDate(input: String(text)) else {
            throw Problem.badRequest("\(name) is invalid.", errors: [.init(field: name, message: "must be a date like 2026-01-31, years 1900 to 2100")])
        }
        return date
    }

    /// The path of a unit inside the caller's legal-aid scope (404 otherwise, revealing nothing).
    static func path(of unit: UUID, caller: Caller, in transaction: PostgresTransaction) async throws -> String {
        guard let brief = try await UnitLookup.brief(unit, in: transaction), caller.holds(.legalAidRead, at: brief.path) else {
            throw Problem.notFound("No such unit.")
        }
        return brief.path
    }
}
