// Chinese labels for the API's codes, shared by every screen.

export const categories = {
  left_behind_child: "留守儿童", child_in_difficulty: "困境儿童", left_behind_woman: "留守妇女", left_behind_elder: "留守老人",
};
export const risk = { normal: "一般", attention: "关注", high: "高风险" };
export const sex = { male: "男", female: "女" };
export const outcomes = { all_well: "一切正常", needs_follow_up: "有需求", urgent: "紧急", not_home: "无人在家", away: "人员外出" };
export const needs = { daily_life: "生活", health: "健康", study: "学习", legal: "法律", psychological: "心理", safety: "安全" };
export const checkKinds = { cadre_visit: "村干部登门", grid_knock: "网格员敲门", volunteer_visit: "志愿者走访", teacher_home_visit: "教师家访" };
export const channels = { in_person: "当面", phone: "电话", video: "视频" };
export const activities = {
  tutoring: "辅导功课", heart_to_heart: "谈心", daily_care: "生活照料", shopping: "代购", reading_and_chatting: "读书聊天",
  family_video_call: "与父母视频",
};
export const safeguardingKinds = {
  living_alone: "儿童独居", missing: "儿童失踪", guardian_incapable: "监护人丧失监护能力", neglect: "监护人不履行监护职责",
  violence: "疑似遭受家庭暴力", injury: "疑似遭受不法侵害",
};
export const roles = {
  county_admin: "县级管理员", town_admin: "乡镇管理员", child_welfare_supervisor: "儿童督导员", village_cadre: "村干部（儿童主任）",
  grid_worker: "网格员", volunteer: "志愿者", school_staff: "学校教职工", clinic_staff: "卫生院（室）", relief_officer: "民政助理",
  legal_aid_officer: "司法所", auditor: "审计员",
};
export const followUpRoles = roles;

/** The labels of a door check's or visit's fields, for the server's refusals of a record. */
export const recordFields = {
  occurredAt: "发生时间", outcome: "情况", needs: "需求", notes: "备注", channel: "方式", kind: "走访类型", personId: "人员",
  householdId: "户", pairingId: "结对", activities: "做了什么", durationMinutes: "时长", latitude: "位置", longitude: "位置", id: "编号",
};

/** The server's English field messages in Chinese, where they follow a known pattern. */
export function message(text) {
  if (!text) return "";
  const rules = [
    [/^is required$/i, "必填"], [/^must be a UUID/i, "格式不正确"], [/is in the future/i, "不能晚于现在"],
    [/^is before the person's birth$/i, "不能早于出生日期"], [/^is before the child was enrolled here$/i, "不能早于在本校入学的日期"],
    [/more than 60 days ago/i, "不能早于 60 天前"], [/^name what is needed/i, "请选择至少一项需求"],
    [/must be empty when the outcome/i, "无人在家或外出时不能登记需求"], [/^name each need once$/i, "每项需求只选一次"], [/must have at most (\d+) characters/i, "最多 $1 个字"],
    [/must have (\d+) to (\d+) characters/i, "需 $1 至 $2 个字"], [/check character/i, "校验位不正确"],
    [/not your current password/i, "当前密码不正确"], [/at least (\d+) characters/i, "至少 $1 个字符"],
    [/^describe what happened \((\d+) to (\d+) characters\)/i, "请写明具体情况（$1 至 $2 个字）"],
    [/^no such person in your scope/i, "没有找到此人，或此人不在您负责的范围内"],
    // Units and accounts.
    [/^must be exactly 12 digits$/i, "应为 12 位数字"], [/^is required for a \w+$/i, "必填"],
    [/^must start with the town's (\d+)/i, "应以所属乡镇的代码 $1 开头"], [/^must start with the county's (\d+)/i, "应以所属县的代码 $1 开头"],
    [/^the town segment .*cannot be 000$/i, "第 7–9 位（乡镇段）不能为 000"], [/^the village segment .*cannot be 000$/i, "第 10–12 位（村段）不能为 000"],
    [/^is already used$/i, "已被使用"], [/^has active child units/i, "还有在用的下级单位，请先停用或移走它们"],
    [/cannot be placed under a /i, "不能放在这一类上级之下"], [/^cannot be the unit itself or one of its descendants$/i, "不能是本单位或它的下级"],
    [/^a county cannot be moved$/i, "县不能移动"], [/^is deactivated$/i, "已停用"],
    [/^must be 3 to 64 of a-z 0-9/i, "应为 3 至 64 位小写字母、数字或 . _ -，以字母或数字开头"],
    [/^must mix at least 3 of/i, "须包含小写字母、大写字母、数字、符号中的至少三类"], [/^must differ from the current password$/i, "不能与当前密码相同"],
    [/^must be at most 72 bytes/i, "太长（最多 72 字节，约 24 个汉字）"], [/^must not contain control characters$/i, "不能含有控制字符"],
    [/^must hold at least one role$/i, "至少授予一个角色"], [/^repeats grants\[\d+\]$/i, "与前面的一项授权重复"],
    [/^you may not grant/i, "您不能在此单位授予这一角色"], [/^a service account may not hold/i, "服务账号不能担任管理员或审计员（须由本人登录并验证第二因素）"], [/^no such active unit in your scope$/i, "您的范围内没有此单位（或已停用）"],
    // Schools, relief and other modules' forms.
    [/^name one or more different topics$/i, "请选择至少一项"], [/^must not be empty \(at most (\d+) characters\)$/i, "不能为空（最多 $1 个字）"],
    [/^name the receiving school by exactly one of/i, "请选择转入学校，或填写县外学校名称（二选一）"],
    [/^must be 1 to (\d+) for stage/i, "该学段的年级应为 1 至 $1"], [/^is before startOn$/i, "不能早于开始日期"],
    [/^is before the child was enrolled here$/i, "不能早于在本校入学的日期"], [/^is before the last change of this enrolment/i, "不能早于本学籍的上一次变动"],
    [/^is before the plan started$/i, "不能早于计划开始日期"], [/^is before the decision$/i, "不能早于决定日期"],
    [/^is the current school$/i, "已是当前学校"], [/^is the current status$/i, "已是当前状态"],
    [/^must be 2 to 40 lower-case letters, digits or _$/i, "应为 2 至 40 位小写字母、数字或 _"], [/^must be (\d+) to (\d+)$/i, "应为 $1 至 $2"],
    [/^must be (\d+) to (\d+) fen$/i, "应为 $1 至 $2 分"], [/^give the reason/i, "请填写理由"], [/^describe the need/i, "请描述需求（1 至 2000 个字）"],
    [/^name 1 to (\d+) days$/i, "应为 1 至 $1 天"], [/^name each day once$/i, "每一天只能出现一次"], [/^name at most (\d+) documents$/i, "最多 $1 份材料"],
  ];
  for (const [pattern, replacement] of rules) {
    const match = text.match(pattern);
    if (match) return replacement.replace(/\$(\d)/g, (_, i) => match[Number(i)]);
  }
  return text;
}

// Codes of the person file (一人一档) and the console.
export const schoolStages = {
  not_in_kindergarten: "未入园", kindergarten: "幼儿园", primary: "小学", junior_secondary: "初中", senior_secondary: "高中",
  vocational: "中职", dropped_out: "辍学", not_in_school: "不在学",
};
export const guardianshipTypes = {
  unattended: "无人监护", parent_incapable: "父或母无监护能力", delegate_insufficient: "受委托监护人监护能力不足", ordinary: "一般", good: "较好",
};
export const guardianshipAssessments = { good: "较好", fair: "一般", poor: "差" };
export const parentsAway = { both: "父母均外出", one_away_other_unable: "一方外出另一方无监护能力", one_away: "一方外出" };
export const healthStatuses = { healthy: "健康", disabled: "残疾", major_illness: "患重病" };
export const livingArrangements = { alone: "独居", with_spouse: "与配偶同住", with_grandchildren: "与孙辈同住", with_others: "与其他人同住", institution: "机构养老" };
export const selfCare = { full: "能自理", partial: "半失能", none: "失能" };
export const relationships = { father: "父亲", mother: "母亲", spouse: "配偶", child: "子女", other: "其他" };
export const assistanceKinds = { minimum_living: "低保", extreme_poverty: "特困", temporary: "临时救助", medical: "医疗救助", housing: "住房救助" };
export const personStatuses = { active: "在档", exited: "已销档" };
export const exitReasons = { parents_returned: "父母返乡", aged_out: "年龄超出", moved_away: "迁出", deceased: "死亡", other: "其他" };
export const followUpNeeds = { ...needs, schooling: "就学" };
export const auditResults = { success: "成功", denied: "拒绝", failure: "失败" };

// Alerts (消息提醒): events, urgency, channels, delivery states.
export const alertEvents = {
  "safeguarding.reported": "强制报告", "safeguarding.unacknowledged": "强制报告超时未签收", "follow_up.opened": "新的跟进事项",
  "school.dropout": "学生辍学", "school.long_absence": "学生长期缺勤", "checkup.follow_up": "体检需随访",
  "relief.deadline_approaching": "救助审批即将到期", "relief.deadline_missed": "救助审批已逾期",
  "legal.deadline_approaching": "法律援助首次联系即将到期", "legal.deadline_missed": "法律援助首次联系已逾期",
  "obligations.overdue_digest": "逾期走访日报", "person.no_capable_guardian": "儿童无有效监护人", "channel.test": "测试消息",
};
export const alertUrgencies = { immediate: "立即", same_day: "当日", digest: "每日汇总" };
export const alertChannels = { inbox: "站内", wecom: "企业微信", dingtalk: "钉钉", sms: "短信" };
export const alertDeliveryStatuses = { dead: "发送失败", pending: "待发送", sent: "已发送" };
/** Recipient roles of an alert rule: the roles (not volunteers, who see only their paired people, nor
 * auditors), and the role a follow-up's need is routed to. */
export const alertRecipients = Object.fromEntries(
  [...Object.entries(roles).filter(([role]) => role !== "volunteer" && role !== "auditor"), ["routed", "跟进事项的承办角色"]]);
