import Foundation
import Hummingbird
import LiushouPostgres

extension AppRequestContext {
    /// A UUID path parameter (`:id`); anything else answers 400 naming the parameter.
    public func uuidParameter(_ name: String) throws -> UUID {
        guard let text = self.parameters.get(name), let id = UUID(canonical: text) else {
            throw Problem.badRequest("\(name) must be a UUID.", errors: [.init(field: name, message: "must be a UUID")])
        }
        return id
    }
}
