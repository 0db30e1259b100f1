import Foundation

/// What everyone who may see a person sees of their legal-aid cases: that one exists, and its stage.
public struct LegalCaseExistence: Sendable, Codable, Equatable {
    public var id: UUID
    public var stage: LegalStage
    public var stageName: String
    public var openedAt: Date
}
