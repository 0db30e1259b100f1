import Foundation
import HTTPTypes
import Hummingbird

extension HTTPField.Name {
    /// `Idempotency-Key`: a client's key for one step, so a retried request is never applied twice.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Idempotent-Replayed: true` on an answer given from a retried request's first result.
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension Request {
    /// The `Idempotency-Key` of a step, trimmed (400 without one of 1 to 200 characters), read
    /// beside `ifMatchVersion()`.
    public func idempotencyKey() throws -> String {
        guard let key = self.headers[.idempotencyKey]?.trimmingCharacters(in: .whitespaces), (1...200).contains(key.unicodeScalars.count) else {
            throw Problem.badRequest(
                "Send an Idempotency-Key header (1 to 200 characters) so a retried step is never applied twice.",
                errors: [.init(field: "Idempotency-Key", message: "is required")]
            )
        }
        return key
    }
}
