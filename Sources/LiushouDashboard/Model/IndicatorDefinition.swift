/// One indicator of the joint meeting: what its numerator and denominator count, and its target.
public struct IndicatorDefinition: Sendable, Codable, Equatable {
    public var key: String
    /// The name the meeting uses.
    public var name: String
    /// What the numerator counts (a leaf metric).
    public var numerator: String
    /// What the denominator counts (a leaf metric).
    public var denominator: String
    /// The work plans' target as a share (nil: the plans set none).
    public var target: Double?
    /// How town staff explain the number.
    public var definition: String

    /// The indicators, in the order the meeting reads them.
    public static let all: [IndicatorDefinition] = [
        IndicatorDefinition(key: "filing", name: "建档完整率", numerator: "complete", denominator: "persons", target: 1.0,
                            definition: "在册在管人员中，档案必填项齐全（系统判定“完整”）的人数 ÷ 在册在管人员数。已退出人员不计。"),
        IndicatorDefinition(key: "guardian", name: "有监护人比例", numerator: "children_guarded", denominator: "children", target: 1.0,
                            definition: "在管留守儿童和困境儿童中，未被标记为“无有效监护”的人数 ÷ 在管儿童数。"),
        IndicatorDefinition(key: "guardian_confirmed", name: "委托监护确认书签订率", numerator: "children_confirmed", denominator: "children", target: 1.0,
                            definition: "在管儿童中，档案记有委托监护确认书签订日期的人数 ÷ 在管儿童数。"),
        IndicatorDefinition(key: "pairing", name: "结对帮扶率", numerator: "paired", denominator: "persons", target: 1.0,
                            definition: "在管人员中，今天处于有效结对（已开始、未结束、未到计划结束日）的人数 ÷ 在管人员数。"),
        IndicatorDefinition(key: "cadre_visits", name: "村干部每周一登门达标率", numerator: "cadre_ok", denominator: "cadre_due", target: 1.0,
                            definition: "适用“每周一登门”规则的在管人员中，下次应访时间尚未过期的人数 ÷ 适用该规则的人数。"),
        IndicatorDefinition(key: "daily_knock", name: "每天一敲门达标率", numerator: "knock_ok", denominator: "knock_due", target: 1.0,
                            definition: "适用“每天一敲门”规则的在管人员中，下次应访时间尚未过期的人数 ÷ 适用该规则的人数。"),
        IndicatorDefinition(key: "elders_checked", name: "留守老人近 12 个月体检覆盖率", numerator: "elders_checked", denominator: "group_left_behind_elder",
                            target: nil, definition: "在管留守老人中，近 12 个月内有任一体检记录的人数 ÷ 在管留守老人数。"),
        IndicatorDefinition(key: "women_screened", name: "留守妇女两癌筛查率", numerator: "women_screened", denominator: "group_left_behind_woman",
                            target: nil, definition: "在管留守妇女中，近 12 个月内有“两癌筛查”记录的人数 ÷ 在管留守妇女数。"),
        IndicatorDefinition(key: "relief_in_time", name: "救助按时决定率（本年）", numerator: "relief_decided_in_time_this_year",
                            denominator: "relief_decided_this_year", target: nil,
                            definition: "本年内作出决定（批准或不予批准）的救助案件中，在时限内决定的件数 ÷ 本年作出决定的件数。"),
    ]

    /// Counts shown next to the rates (no denominator).
    public static let counts: [(metric: String, name: String)] = [
        ("persons", "在管人员"), ("group_left_behind_child", "留守儿童"), ("group_child_in_difficulty", "困境儿童"),
        ("group_left_behind_woman", "留守妇女"), ("group_left_behind_elder", "留守老人"),
        ("follow_ups_open_under_7_days", "待办跟进（7 天内）"), ("follow_ups_open_7_to_30_days", "待办跟进（7–30 天）"),
        ("follow_ups_open_over_30_days", "待办跟进（超过 30 天）"),
        ("safeguarding_unacknowledged_under_1_day", "未确认强制报告（1 天内）"), ("safeguarding_unacknowledged_1_to_7_days", "未确认强制报告（1–7 天）"),
        ("safeguarding_unacknowledged_over_7_days", "未确认强制报告（超过 7 天）"),
        ("relief_awaiting_decision", "救助待决定"), ("relief_overdue", "救助已超时限"), ("relief_approved_unpaid", "救助已批未付"),
    ]
}
