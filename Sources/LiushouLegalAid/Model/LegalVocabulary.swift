/// How urgent the matter is.
public enum LegalUrgency: String, Sendable, Codable, CaseIterable {
    case normal
    case urgent
    case emergency
}

/// How the application arrived: from a grid follow-up, a walk-in, or a referral by police, school or court.
public enum IntakeChannel: String, Sendable, Codable, CaseIterable {
    case followUp = "follow_up"
    case walkIn = "walk_in"
    case police
    case school
    case court
}

/// The ground on which a case is eligible.
public enum EligibilityBasis: String, Sendable, Codable, CaseIterable {
    /// Means-tested: the registry records assistance the county counts as hardship (低保, 特困).
    case economicHardship = "economic_hardship"
    /// Regardless of means: the person is under 18.
    case minor
    /// Regardless of means: the person is in a category the county aids regardless of means.
    case category
    /// Regardless of means: the matter is one aided regardless of means (e.g. domestic violence).
    case matter
}

/// A review's outcome.
public enum ReviewDecision: String, Sendable, Codable, CaseIterable {
    /// The refusal is overturned: the case is eligible.
    case overturn
    /// The refusal stands (final).
    case uphold
}

/// The form of aid.
public enum LegalMode: String, Sendable, Codable, CaseIterable {
    case mediation
    case litigation
    case advice
}

/// How a case ended.
public enum LegalOutcome: String, Sendable, Codable, CaseIterable {
    /// Resolved in mediation.
    case mediated
    case judgment
    case withdrawn
    case referred
}
