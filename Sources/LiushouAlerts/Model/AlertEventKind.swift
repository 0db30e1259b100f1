/// What happened, as alert rules name it. The events themselves are raised in SQL (sql/alerts),
/// by the transaction of the write that caused them or by `alerts_tick()` for deadlines and digests.
public enum AlertEventKind: String, Sendable, Codable, CaseIterable {
    case safeguardingReported = "safeguarding.reported"
    case safeguardingUnacknowledged = "safeguarding.unacknowledged"
    case followUpOpened = "follow_up.opened"
    case schoolDropout = "school.dropout"
    case schoolLongAbsence = "school.long_absence"
    case checkupFollowUp = "checkup.follow_up"
    case reliefDeadlineApproaching = "relief.deadline_approaching"
    case reliefDeadlineMissed = "relief.deadline_missed"
    case legalDeadlineApproaching = "legal.deadline_approaching"
    case legalDeadlineMissed = "legal.deadline_missed"
    case obligationsOverdueDigest = "obligations.overdue_digest"
    case personNoCapableGuardian = "person.no_capable_guardian"
    /// A test message an administrator sends to one channel; not configurable.
    case channelTest = "channel.test"

    public var chineseName: String {
        switch self {
        case .safeguardingReported: return "强制报告"
        case .safeguardingUnacknowledged: return "强制报告超时未签收"
        case .followUpOpened: return "新的跟进事项"
        case .schoolDropout: return "学生辍学"
        case .schoolLongAbsence: return "学生长期缺勤"
        case .checkupFollowUp: return "体检需随访"
        case .reliefDeadlineApproaching: return "救助审批即将到期"
        case .reliefDeadlineMissed: return "救助审批已逾期"
        case .legalDeadlineApproaching: return "法律援助首次联系即将到期"
        case .legalDeadlineMissed: return "法律援助首次联系已逾期"
        case .obligationsOverdueDigest: return "逾期走访日报"
        case .personNoCapableGuardian: return "儿童无有效监护人"
        case .channelTest: return "测试消息"
        }
    }

    /// Events a county may configure.
    public static var configurable: [AlertEventKind] {
        Self.allCases.filter { $0 != .channelTest }
    }
}

/// How soon an alert must reach people.
public enum AlertUrgency: String, Sendable, Codable, CaseIterable {
    case immediate
    /// Within the working day.
    case sameDay = "same_day"
    /// Collected into a daily digest; not sent between 21:00 and 08:00 China time.
    case digest
}

/// Where alerts go: the in-app inbox (always), a unit's WeCom or DingTalk group robot, SMS.
public enum AlertChannelKind: String, Sendable, Codable, CaseIterable {
    case inbox
    case wecom
    case dingtalk
    case sms
}
