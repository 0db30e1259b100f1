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
    [/more than (\d+) days ago/i, "不能早于 $1 天前"], [/^name what is needed/i, "请选择至少一项需求"],
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
    [/^must be 2 to 40 lower-case letters, digits or _$/i, "应为 2 至 40 位小写字母、数字或 _"], [/^must be (-?\d+) to (-?\d+)$/i, "应为 $1 至 $2"],
    [/^must be (\d+) to (\d+) fen$/i, "应为 $1 至 $2 分"], [/^give the reason/i, "请填写理由"], [/^describe the need/i, "请描述需求（1 至 2000 个字）"],
    [/^name 1 to (\d+) days$/i, "应为 1 至 $1 天"], [/^name each day once$/i, "每一天只能出现一次"], [/^name at most (\d+) documents$/i, "最多 $1 份材料"],
    // Door checks, volunteer visits and mandatory reports (a record the server refused, item by item).
    [/^no such active person or household in your scope$/i, "没有找到此人或此户（可能已销档），或不在您负责的范围内"],
    [/^your roles do not make (\w+) checks here$/i, (m) => `您的角色不能在此记录“${checkKinds[m[1]] || m[1]}”`],
    [/^no running pairing of yours$/i, "没有您正在进行的这项结对（可能已结束）"], [/^is not paired with you in this pairing$/i, "此人不在您的这项结对中"],
    [/^is before the pairing started$/i, "不能早于结对开始的日期"], [/^name exactly one of personId and householdId$/i, "请选定一个人或一户"],
    [/^give latitude and longitude together$/i, "位置的经度和纬度须同时提供"], [/^must be (-?\d+) to (-?\d+) minutes$/i, "应为 $1 至 $2 分钟"],
    [/^name what was done, each activity once$/i, "请选择做了什么（每项只选一次）"],
    [/^a volunteer visit is recorded when the person was seen/i, "志愿者走访须见到本人：无人在家或外出不记为走访"],
    [/^send at most (\d+) \w+ per (batch|request)$/i, "每次最多上传 $1 条"],
    [/^name the person, or the unitId where it happened$/i, "请选定被报告人，或发生地所在的村或网格"], [/^no such village or grid in your county$/i, "本县没有此村或网格"],
    [/^say how it was resolved/i, "请写明如何办理（1 至 2000 个字）"],
    [/^is more than (\d+) years ago$/i, "不能早于 $1 年前"], [/^is more than a year ahead$/i, "不能晚于一年以后"], [/^must be in the future$/i, "应晚于现在"],
    // Sign-in.
    [/^is not the code your authenticator app shows now$/i, "验证码不正确（请确认手机时间准确）"], [/^is not a valid recovery code$/i, "恢复码不正确或已用过"],
    [/^must be the (\d+) digits your authenticator app shows$/i, "应为身份验证器显示的 $1 位数字"], [/^send either code or recoveryCode$/i, "请输入验证码或恢复码"],
    // Person files, households and grids.
    [/^you may not file persons here$/i, "您不能在此单位建档"], [/^you may not file households there$/i, "您不能在此处建户"],
    [/^must be an active grid of the household's village in your scope$/i, "应为本户所在村的在用网格（在您的范围内）"],
    [/^must be an active grid \(or micro-grid\) of the village$/i, "应为该村的在用网格（或微网格）"], [/^must be a grid of the village in your scope$/i, "应为该村的网格（在您的范围内）"],
    [/^the household is already there$/i, "此户已在该网格"], [/^must be a household of the same village$/i, "应为同一村的户"],
    [/^must not hold a phone or ID number/i, "不能含有手机号或身份证号（连续 7 位以上数字）"], [/^is not a valid ID number$/i, "不是有效的公民身份号码"],
    [/^must be a mobile number/i, "应为 11 位手机号码，或带区号的固定电话"], [/^must not repeat an? \w+$/i, "不能重复"],
    [/^must be a date (?:such as|like) ([0-9-]+)/i, "应为日期，如 $1"], [/^must be a date YYYY-MM-DD/i, "应为日期，如 2026-03-01"],
    [/^must be a month/i, "应为月份，如 2026-03"], [/^must be a year like/i, "应为年份，如 2026"], [/^must be an ISO 8601 time/i, "时间格式不正确"],
    [/^must be a unit's UUID$/i, "请选择单位"], [/^must not be blank; leave it out instead$/i, "不能只填空格"], [/^must not be after to$/i, "开始时间不能晚于结束时间"],
    [/^must be at most (\d+) characters$/i, "最多 $1 个字"], [/^must be 1 to (\d+) characters/i, "应为 1 至 $1 个字"], [/^a name of 1 to (\d+) characters$/i, "姓名应为 1 至 $1 个字"],
    [/^say why the numbers are needed/i, "请说明查看完整号码的原因（4 至 200 个字）"], [/^name the unit to export$/i, "请选择要导出的单位"],
    [/^no such active person in your scope$/i, "您的范围内没有此在档人员"], [/^no such active child you can see$/i, "没有您可查看的此在档儿童"],
    [/^is not filed as a left-behind child or a child in difficulty$/i, "此人未登记为留守儿童或困境儿童"],
    [/^visit rules are set on a county, town or village$/i, "走访规则只能设在县、乡镇或村"], [/^name at least one kind of check$/i, "至少选择一种走访类型"],
    [/^must be some of normal, attention, high/i, "应为一般、关注、高风险中的若干项"],
    [/^must be a town or a village$/i, "应为乡镇或村"], [/^must be a county, town, village, grid or school$/i, "应为县、乡镇、村、网格或学校"],
    [/^only a clinic has a service area$/i, "只有卫生院（室）有服务范围"], [/^must be an active village of the clinic's town$/i, "应为本卫生院所在乡镇的在用村"],
    // Volunteers and pairings.
    [/^is a service account$/i, "这是服务账号"], [/^no such login with the volunteer or school staff role in your scope$/i, "您的范围内没有担任志愿者或学校教职工的此登录账号"],
    [/^this login already belongs to another volunteer$/i, "此登录账号已属于另一名志愿者"], [/^a volunteer with this ID number is already registered here$/i, "此身份证号的志愿者已在此登记"],
    [/^is not a known skill$/i, "不是已知的特长"], [/^only volunteers who passed the background check are paired with children$/i, "只有通过背景审查的志愿者才能与儿童结对"],
    [/^failed the background check/i, "未通过背景审查，不能结对"], [/^a child is paired only with the guardian's recorded consent$/i, "与儿童结对须记录监护人的同意"],
    [/^give who consented and when together$/i, "同意人和同意日期须同时填写"], [/^describe the pairing's goals/i, "请填写结对目标（1 至 2000 个字）"],
    [/^say why the pairing ends/i, "请填写结束结对的原因（1 至 1000 个字）"], [/^name 1 to (\d+) different people$/i, "请选择 1 至 $1 个不同的人"],
    [/^name 1 to (\d+) different volunteers$/i, "请选择 1 至 $1 名不同的志愿者"], [/^pair people of one unit you manage/i, "结对的人员须属于您管理的同一个村、乡镇或县"],
    [/^give the date of the background check/i, "请填写背景审查的日期"], [/^no such volunteer in your register$/i, "您的名册中没有此志愿者"],
    [/^is not a person of this pairing you can see$/i, "不是此结对中您可查看的人员"],
    // Service accounts and other requests.
    [/^must be within (\d+) days: tokens are rotated/i, "应在 $1 天以内（令牌至少每两年轮换一次）"], [/^was used for another request$/i, "已用于另一次提交"],
    [/^no such follow-up of this person$/i, "此人没有这条跟进事项"],
    [/^no such unit in your scope$/i, "不是您管辖范围内的单位"], [/^no such active village in your scope$/i, "您的范围内没有此村（或已停用）"],
    [/^no such person$/i, "没有此人"], [/^name at least one role$/i, "至少选择一个角色"], [/^must be one of (.+)$/i, "应为以下之一：$1"],
    [/^a (refusal|review) needs a reason/i, "请填写理由（1 至 2000 个字）"], [/^a file is checked by someone other than who filled it$/i, "档案须由填写人以外的人审核"],
    // Schools and clinics.
    [/^is not staff of the school$/i, "不是该校教职工"], [/^is not an active staff account of the school$/i, "不是该校在用的教职工账号"],
    [/^is not a school you work at or manage$/i, "不是您任职或管理的学校"], [/^is not an active school of the county$/i, "不是本县在用的学校"],
    [/^must be an active school of the county$/i, "应为本县在用的学校"], [/^is not a learning-buddy pairing of the child$/i, "不是该儿童的学习伙伴结对"],
    [/^only a transfer names a receiving school$/i, "只有转学才填写转入学校"], [/^women's screening is for women$/i, "“两癌”筛查只适用于女性"],
  ];
  for (const [pattern, replacement] of rules) {
    const match = text.match(pattern);
    if (match) return typeof replacement === "function" ? replacement(match) : replacement.replace(/\$(\d)/g, (_, i) => match[Number(i)]);
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

// The person file's timeline (时间线) and field history (修改记录).
/** The module that wrote a timeline entry (named as the console's menu names it). */
export const timelineModules = {
  registry: "人员档案", grid: "走访与跟进", schools: "学校关爱", relief: "帮扶救助", volunteers: "志愿结对", health: "健康体检", legal_aid: "法律援助",
};
/** What wrote a change of a file's field history. */
export const fileChangeActions = {
  create: "建档", update: "修改", exit: "销档", reactivate: "恢复在档", check: "审核", "school.roll": "学籍变动", "household.move": "户调整网格",
};
/** A pairing (结对帮扶): active until ended. */
export const pairingStatuses = { active: "进行中", ended: "已结束" };
