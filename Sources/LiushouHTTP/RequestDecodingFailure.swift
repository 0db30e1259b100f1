/// Explains a `DecodingError` as a 400 problem naming the field, without echoing values.
public enum RequestDecodingFailure {
    /// One line naming the field and what is wrong (for items of a batch that fail on their own).
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "cannot be read" }
        let problem = self.problem(for: error)
        return problem.errors.first.map { "\($0.field) \($0.message)" } ?? (problem.detail ?? "cannot be read")
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .keyNotFound(let key, let context):
            let field = self.path(context.codingPath + [key])
            return .badRequest("Missing field \(field).", errors: [.init(field: field, message: "is required")])
        case .typeMismatch(let type, let context):
            let field = self.path(context.codingPath)
            return .badRequest("Field \(field) has the wrong type.", errors: [.init(field: field, message: "must be \(self.describe(type))")])
        case .valueNotFound(let type, let context):
            let field = self.path(context.codingPath)
            return .badRequest("Field \(field) is null.", errors: [.init(field: field, message: "must be \(self.describe(type)), not null")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("The body is not valid JSON.")
            }
            let field = self.path(context.codingPath)
            return .badRequest("Field \(field) is invalid.", errors: [.init(field: field, message: context.debugDescription)])
        @unknown default:
            return .badRequest("The body cannot be decoded.")
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        var path = ""
        for key in keys {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                path += path.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return path.isEmpty ? "(body)" : path
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
