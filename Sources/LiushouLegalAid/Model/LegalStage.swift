/// A legal-aid case's stage in the workflow (`LegalWorkflow` says how it moves).
public enum LegalStage: String, Sendable, Codable, CaseIterable {
    /// 受理: the application is recorded, eligibility not yet decided.
    case intake
    /// 准予援助: eligible, waiting to be assigned.
    case eligible
    /// 不予援助: refused with a reason; may be reviewed once.
    case refused
    /// 复核维持: the review upheld the refusal (final).
    case refusalUpheld = "refusal_upheld"
    /// 已指派: assigned to an officer or a lawyer, first contact due.
    case assigned
    /// 办理中: the applicant was contacted; mediation, litigation or advice under way.
    case inProgress = "in_progress"
    /// 已结案.
    case closed

    /// Chinese name, as the person's timeline shows it.
    public var chineseName: String {
        switch self {
        case .intake: return "已受理"
        case .eligible: return "准予法律援助"
        case .refused: return "不予法律援助"
        case .refusalUpheld: return "复核维持不予援助"
        case .assigned: return "已指派承办人"
        case .inProgress: return "办理中"
        case .closed: return "已结案"
        }
    }
}
