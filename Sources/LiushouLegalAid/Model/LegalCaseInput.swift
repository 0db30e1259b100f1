import Foundation

/// An application for legal aid as a client records it (the id is the client's, so retries never duplicate).
public struct LegalCaseInput: Sendable, Codable, Equatable {
    /// A guardian applying for a child.
    public struct Guardian: Sendable, Codable, Equatable {
        public var name: String
        /// 与儿童关系, e.g. 祖父.
        public var relationship: String
        /// The guardian's own file, when they are in the registry.
        public var personId: UUID?
    }

    public var id: UUID
    /// The person aided (the applicant, or the child a guardian applies for).
    public var personId: UUID
    /// A matter's code (`GET /v1/legal-aid/matters`).
    public var matter: String
    public var guardian: Guardian?
    /// The other parties, names only.
    public var parties: [String]
    public var facts: String
    public var urgency: LegalUrgency
    public var channel: IntakeChannel
    /// The grid follow-up (need `legal`) the case comes from; required with channel follow_up.
    public var followUpId: UUID?
}
