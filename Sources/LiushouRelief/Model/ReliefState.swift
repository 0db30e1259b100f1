/// Where a relief case stands in its workflow.
public enum ReliefState: String, Sendable, Codable, CaseIterable {
    /// Raised, waiting for the village's review.
    case submitted
    /// Reviewed by the village (or appealed), waiting for the town's decision.
    case villageReviewed = "village_reviewed"
    /// Approved by the town with an amount, waiting for payment.
    case approved
    /// Rejected by the town with a reason; may be appealed once.
    case rejected
    /// Paid (date, amount, channel), waiting to be closed.
    case paid
    /// Done.
    case closed
    /// Withdrawn before a decision.
    case withdrawn

    /// Open cases block another case of the same type for the same person.
    public var isOpen: Bool {
        [.submitted, .villageReviewed, .approved, .paid].contains(self)
    }

    /// States whose decision deadline is running.
    public var awaitsDecision: Bool {
        self == .submitted || self == .villageReviewed
    }

    /// Chinese name, for documents and the timeline.
    public var chineseName: String {
        switch self {
        case .submitted: return "已提交"
        case .villageReviewed: return "村级已评议"
        case .approved: return "乡镇已批准"
        case .rejected: return "乡镇未批准"
        case .paid: return "已发放"
        case .closed: return "已结案"
        case .withdrawn: return "已撤回"
        }
    }
}
