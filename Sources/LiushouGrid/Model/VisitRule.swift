import Foundation

/// A visit rule: which people must be visited by which kinds of check, how often. Defaults come
/// from policy; a county, town or village overrides one by its key for its subtree.
public struct VisitRule: Sendable, Codable, Equatable {
    public var id: UUID
    /// Where it is set (`nil`: the platform default).
    public var unitId: UUID?
    public var ruleKey: String
    public var description: String
    public var categories: [String]
    public var riskLevels: [String]?
    public var checkKinds: [String]
    public var cadenceHours: Int
    public var active: Bool
    public var version: Int
}

extension VisitRule {
    /// Whether the rule says what `input` says (as stored: description trimmed, `active` true by default).
    func matches(_ input: VisitRuleInput) -> Bool {
        self.description == input.description && self.categories.sorted() == input.categories.sorted()
            && self.riskLevels?.sorted() == input.riskLevels?.sorted() && self.checkKinds.sorted() == input.checkKinds.map(\.rawValue).sorted()
            && self.cadenceHours == input.cadenceHours && self.active == (input.active ?? true)
    }
}

/// A rule as a county, town or village sets it (`PUT /v1/units/{id}/visit-rules/{key}`).
struct VisitRuleInput: Decodable {
    var description: String
    var categories: [String]
    var riskLevels: [String]?
    var checkKinds: [CheckKind]
    var cadenceHours: Int
    var active: Bool?
}
