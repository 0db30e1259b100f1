import Foundation
import LiushouHTTP
import LiushouPostgres

/// Checks of the module's query parameters: a malformed one answers 400 naming it.
enum VolunteerQuery {
    /// The UUID a parameter names, nil when it is absent.
    static func uuid(_ text: String?, named name: String) throws -> UUID? {
        guard let text else { return nil }
        guard let id = UUID(canonical: text) else {
            throw Problem.badRequest("\(name) is invalid.", errors: [.init(field: name, message: "must be a UUID")])
        }
        return id
    }

    /// The unit a report is for: required, a unit's UUID.
    static func unit(_ text: String?) throws -> UUID {
        guard let unit = text.flatMap(UUID.init(canonical:)) else {
            throw Problem.badRequest("unitId is required.", errors: [.init(field: "unitId", message: "must be a unit's UUID")])
        }
        return unit
    }
}
