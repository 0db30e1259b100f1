import LiushouAccess

/// A transition of the legal-aid workflow, taken with `POST /v1/legal-cases/:id/<path>` and If-Match.
public enum LegalAction: String, Sendable, CaseIterable {
    /// Decide eligibility (准予 / 不予援助) with its basis or reason.
    case decide = "decision"
    /// Review a refusal once (复核), by another officer or the town admin.
    case review
    /// Assign (or re-assign before the first contact) to a legal-aid officer or a lawyer (指派).
    case assign = "assignment"
    /// Record the first contact with the applicant and the mode of aid.
    case firstContact = "first-contact"
    /// Close with an outcome (a withdrawal may close the case at any earlier stage).
    case close

    /// The path segment under `/v1/legal-cases/:id/`.
    public var path: String { self.rawValue }

    /// Roles that may take the transition, held on a unit covering the case.
    public var roles: Set<Role> {
        switch self {
        case .decide, .firstContact: return [.legalAidOfficer]
        case .review, .assign, .close: return [.legalAidOfficer, .townAdmin]
        }
    }

    /// The audit action recorded for it.
    public var auditAction: String {
        switch self {
        case .decide: return "legal_case.decide"
        case .review: return "legal_case.review"
        case .assign: return "legal_case.assign"
        case .firstContact: return "legal_case.first_contact"
        case .close: return "legal_case.close"
        }
    }
}
