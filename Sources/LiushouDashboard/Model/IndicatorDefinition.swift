import LiushouAccess

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
        IndicatorDefinition(
            key: "filing",
            name: "建档完整率",
            numerator: "complete",
            denominator: "persons",
            target: 1.0,
            definition: "在册在管人员中，档案必填项齐全（系统判定“完整”）的人数 ÷ 在册在管人员数。已退出人员不计。"
        ),
        IndicatorDefinition(
            key: "guardian",
            name: "有监护人比例",
            numerator: "children_guarded",
            denominator: "children",
            target: 1.0,
            definition: "在管留守儿童（未满 16 周岁）和困境儿童（未满 18 周岁）中，未被标记为“无有效监护”的人数 ÷ 在管儿童数。"
        ),
        IndicatorDefinition(
            key: "guardian_confirmed",
            name: "委托监护确认书签订率",
            numerator: "children_confirmed",
            denominator: "children",
            target: 1.0,
            definition: "在管儿童（留守儿童未满 16 周岁、困境儿童未满 18 周岁）中，档案记有委托监护确认书签订日期的人数 ÷ 在管儿童数。"
        ),
        IndicatorDefinition(
            key: "pairing",
            name: "结对帮扶率",
            numerator: "paired",
            denominator: "persons",
            target: 1.0,
            definition: "在管人员中，今天处于有效结对（已开始、未结束、未到计划结束日）的人数 ÷ 在管人员数。"
        ),
        IndicatorDefinition(
            key: "cadre_visits",
            name: "村干部每周一登门达标率",
            numerator: "cadre_ok",
            denominator: "cadre_due",
            target: 1.0,
            definition: "适用“每周一登门”规则的在管人员中，下次应访时间尚未过期的人数 ÷ 适用该规则的人数。"
        ),
        IndicatorDefinition(
            key: "daily_knock",
            name: "每天一敲门达标率",
            numerator: "knock_ok",
            denominator: "knock_due",
            target: 1.0,
            definition: "适用“每天一敲门”规则的在管人员中，下次应访时间尚未过期的人数 ÷ 适用该规则的人数。"
        ),
        IndicatorDefinition(
            key: "elders_checked",
            name: "留守老人近 12 个月体检覆盖率",
            numerator: "elders_checked",
            denominator: "group_left_behind_elder",
            target: nil,
            definition: "在管留守老人中，近 12 个月内有任一体检记录的人数 ÷ 在管留守老人数。"
        ),
        IndicatorDefinition(
            key: "women_screened",
            name: "留守妇女两癌筛查率",
            numerator: "women_screened",
            denominator: "group_left_behind_woman",
            target: nil,
            definition: "在管留守妇女中，近 12 个月内有“两癌筛查”记录的人数 ÷ 在管留守妇女数。"
        ),
        IndicatorDefinition(
            key: "enrolment",
            name: "义务教育入学率",
            numerator: "school_compulsory_enrolled",
            denominator: "school_compulsory",
            target: 1.0,
            definition: "在管留守儿童和困境儿童中，今天满 6 周岁未满 16 周岁的人数为分母；其中今天在校（在本县学籍在读、休学或长期缺勤未辍学，或已转往县外学校）的人数为分子。按儿童档案所在村（网格）统计。"
        ),
        IndicatorDefinition(
            key: "retention",
            name: "义务教育巩固率",
            numerator: "school_retained",
            denominator: "school_cohort",
            target: 1.0,
            definition: "本学年 9 月 1 日在校、今天满 6 周岁未满 16 周岁的在管儿童为分母；其中今天仍在校（任一学校）的人数为分子。"
        ),
        IndicatorDefinition(
            key: "kindergarten",
            name: "学前三年入园率",
            numerator: "school_preschool_enrolled",
            denominator: "school_preschool",
            target: 0.9,
            definition: "在管儿童中，今天满 3 周岁未满 6 周岁的人数为分母；其中今天有在读学籍（通常在幼儿园）的人数为分子。目标不低于 90%。"
        ),
        IndicatorDefinition(
            key: "legal_aid",
            name: "留守儿童法律援助应援尽援率（本年）",
            numerator: "legal_child_aided_this_year",
            denominator: "legal_child_eligible_this_year",
            target: 1.0,
            definition: "本年受理、涉及留守儿童且经审查符合援助条件的案件（指派前撤回的不计）为分母；其中已指派承办人员的件数为分子。按案件受理时当事人所在村（网格）统计。"
        ),
        IndicatorDefinition(
            key: "relief_in_time",
            name: "救助按时决定率（本年）",
            numerator: "relief_decided_in_time_this_year",
            denominator: "relief_decided_this_year",
            target: nil,
            definition: "本年内作出决定（批准或不予批准）的救助案件中，在时限内决定的件数 ÷ 本年作出决定的件数。"
        ),
    ]

    /// The indicators `caller` may see for the unit at `path`: legal aid only for those who may read
    /// legal aid there (the database leaves its counts out for everyone else).
    public static func visible(to caller: Caller, at path: String) -> [IndicatorDefinition] {
        caller.holds(.legalAidRead, at: path) ? Self.all : Self.all.filter { $0.key != "legal_aid" }
    }

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
