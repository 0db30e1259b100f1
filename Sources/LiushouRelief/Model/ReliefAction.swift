import LiushouAccess

/// A step a caller takes on a relief case; each needs its own permission on the case's unit.
public enum ReliefAction: String, Sendable, Codable, CaseIterable {
    /// The village reviews the need (村级评议).
    case review
    /// The town approves, with the amount granted.
    case approve
    /// The town rejects, with a reason.
    case reject
    /// The payment is recorded (date, amount, channel).
    case pay
    /// The case is closed after payment.
    case close
    /// The case is withdrawn before a decision.
    case withdraw
    /// A rejection is appealed (once): the case goes back to the town for a new decision.
    case appeal

    /// The permission a caller must hold on the case's unit.
    public var permission: Permission {
        switch self {
        case .review: return .reliefReview
        case .approve, .reject, .close: return .reliefDecide
        case .pay: return .reliefPay
        case .withdraw, .appeal: return .reliefRaise
        }
    }

    /// The row scope the database checks for the same step (`relief_state_edge.scope`).
    public var scope: RowScope {
        switch self {
        case .review: return .reliefReview
        case .approve, .reject, .close: return .reliefDecide
        case .pay: return .reliefPay
        case .withdraw, .appeal: return .relief
        }
    }

    /// Chinese name, for the timeline.
    public var chineseName: String {
        switch self {
        case .review: return "村级评议"
        case .approve: return "乡镇审批通过"
        case .reject: return "乡镇审批未通过"
        case .pay: return "救助金发放"
        case .close: return "结案"
        case .withdraw: return "撤回申请"
        case .appeal: return "申请复核"
        }
    }
}
