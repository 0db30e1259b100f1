import HTTPTypes

extension HTTPField.Name {
    /// `Idempotency-Key`: a client's key for one step, so a retried request is never applied twice.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    /// `Idempotent-Replayed: true` on an answer given from a retried request's first result.
    public static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
