import LiushouHTTP

/// What services and stores throw when a request cannot be carried out: the domain's words, not
/// HTTP's. `ServiceError+Problem.swift` is the one place that turns them into answers.
public enum ServiceError: Error, Sendable, Equatable {
    /// Input that breaks a rule, every field named (422 `validation_failed`).
    case invalid([Problem.FieldError])
    /// A record the caller cannot see: missing or another tenant's, which must look the same (404).
    case notFound(String)
    /// An If-Match version that is no longer current; nothing was changed (412).
    case versionMismatch(record: String, current: Int)
    /// A client-chosen id that already names a record with other content (409 `id_conflict`).
    case idConflict(record: String)
    /// Input that cannot be read at all (400).
    case malformed(String)
    /// A request that clashes with the record's state or another record (409 with its own code;
    /// `extensions` point at what it clashed with, e.g. `existingCaseId`).
    case conflict(code: String, title: String, detail: String? = nil, errors: [Problem.FieldError] = [], extensions: [String: String] = [:])
    /// Well-formed input that a rule other than a field check refuses (422 with its own code).
    case unprocessable(code: String, title: String, detail: String? = nil, errors: [Problem.FieldError] = [], extensions: [String: String] = [:])
    /// A caller whose role may use the route but not on this record or in this way (403).
    case forbidden(code: String, title: String, detail: String?)

    public static let noSuchPerson = ServiceError.notFound("No such person.")
    public static let noSuchUnit = ServiceError.notFound("No such unit.")

    /// One invalid field.
    public static func invalid(_ field: String, _ message: String) -> ServiceError {
        .invalid([Problem.FieldError(field: field, message: message)])
    }
}
