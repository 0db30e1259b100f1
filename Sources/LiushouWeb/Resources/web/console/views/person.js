// A person's file (一人一档) with tabs: file, timeline, checks and obligations, health, pairings,
// relief, legal aid, school roll, counselling, field history. Each tab shows only what the API
// lets the caller see; reveal (with a reason), exit and re-activate, the contact card, print.
// Every tab names its columns and labels its codes in Chinese: a field the API adds later is not
// shown until a tab names it.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get, post, query } from "../../shared/api.js";
import { can, roles } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { table, appendRows, day, when, yesNo, label, labels, blank } from "../generic.js";
import { getPath, text } from "../paths.js";
import { LABELS } from "./person-form.js";
import { checkupKinds, pairingKinds, organisations, measurements, unitText } from "./clinics-common.js";
import * as relief from "./relief-common.js";
import { stages as legalStages, stageBadge } from "./legal-common.js";
import { rollStatus, statusBadge as rollBadge, gradeText, risks as counsellingRisks } from "./schools-util.js";

const TABS = [
  { key: "file", label: "档案" },
  { key: "timeline", label: "时间线" },
  { key: "checks", label: "走访与义务" },
  { key: "health", label: "健康" },
  { key: "pairings", label: "结对帮扶", any: ["pairings.read"] },
  { key: "relief", label: "救助", any: ["relief.read"] },
  { key: "legal", label: "法律援助" },
  { key: "school", label: "学籍", any: ["schools.read"] },
  { key: "counselling", label: "心理关爱" },
  // The server shows a file's history to the staff of its area only (not schools, clinics, volunteers).
  { key: "history", label: "修改记录", roles: ["county_admin", "town_admin", "child_welfare_supervisor", "village_cadre", "grid_worker", "relief_officer", "legal_aid_officer"] },
];

function section(title, rows) {
  const shown = rows.filter(([, v]) => v !== "" && v !== null && v !== undefined);
  if (!shown.length) return null;
  return h("section.file-section", h("h3", title), h("dl.pairs", shown.map(([k, v]) => [h("dt", k), h("dd", v)])));
}

const DISABILITY_GRADES = { 1: "一级", 2: "二级", 3: "三级", 4: "四级" };

const MIGRANT = {
  name: "姓名", relationship: "关系", phone: "电话", idNumber: "身份号码", workProvince: "务工省份", workCity: "务工城市", employer: "工作单位",
  awaySince: "外出时间", lastContactOn: "最近联系",
};

function migrantTable(members) {
  const columns = [["姓名", (m) => m.name], ["关系", (m) => label(vocab.relationships, m.relationship)], ["电话", (m) => m.phone],
    ["务工省份", (m) => m.workProvince], ["务工城市", (m) => m.workCity], ["工作单位", (m) => m.employer]];
  // The dates only when some member has them (most ledgers leave them out).
  if (members.some((m) => m.awaySince)) columns.push(["外出时间", (m) => day(m.awaySince)]);
  if (members.some((m) => m.lastContactOn)) columns.push(["最近联系", (m) => day(m.lastContactOn)]);
  return table(members, "外出亲属", columns);
}

function fileSections(p, villageName, gridName) {
  const L = (path) => [LABELS[path] || path, text(getPath(p, path))];
  const code = (dict, path) => [LABELS[path] || path, blank(getPath(p, path)) ? "" : label(dict, getPath(p, path))];
  const child = p.child || {};
  return [
    section("基本信息", [["姓名", p.name], code(vocab.sex, "sex"), p.birthDate ? L("birthDate") : ["出生年", p.birthYear], L("idNumber"), L("ethnicity"), L("phone"),
      ["人员类别", (p.categories || []).map((c) => `${label(vocab.categories, c.category)}（${c.startedOn} 起${c.endedOn ? `，${c.endedOn} 止` : ""}）`).join("；")],
      ["村", villageName], ["网格", gridName], L("householdRegistration"), L("currentAddress"), code(vocab.risk, "riskLevel"),
      ["状态", label(vocab.personStatuses, p.status)], p.exit ? ["销档", `${label(vocab.exitReasons, p.exit.reason)} ${p.exit.exitedOn || ""}`] : ["", ""]]),
    section("健康与收入", [code(vocab.healthStatuses, "health.status"), L("health.disabilityType"), code(DISABILITY_GRADES, "health.disabilityGrade"), L("health.illness"), L("incomeSource"),
      ["救助情况", (p.assistance || []).map((a) => label(vocab.assistanceKinds, a)).join("、")]]),
    p.child ? section("儿童情况", [code(vocab.schoolStages, "child.schoolStage"), ["是否寄宿", child.boarding === true ? "是" : child.boarding === false ? "否" : ""],
      code(vocab.parentsAway, "child.parentsAway"), code(vocab.guardianshipTypes, "child.guardianshipType"), code(vocab.guardianshipAssessments, "child.guardianshipAssessment")]) : null,
    p.child ? section("委托监护人", child.guardian ? [L("child.guardian.name"), L("child.guardian.relationship"), L("child.guardian.phone"), L("child.guardian.idNumber"), L("child.guardian.address"), L("child.guardianshipConfirmedOn")]
      : [["委托监护人", "未登记（提醒：16 岁以下儿童须有监护人）"]]) : null,
    p.woman ? section("留守妇女情况", [L("woman.employment"), L("woman.trainingNeeds")]) : null,
    p.elder ? section("留守老人情况", [code(vocab.livingArrangements, "elder.livingArrangement"), code(vocab.selfCare, "elder.selfCare"), L("elder.chronicIllness")]) : null,
    (p.migrantFamily || []).length ? h("section.file-section", h("h3", "外出亲属"), migrantTable(p.migrantFamily)) : null,
    section("包保与备注", [L("responsibleCadre.name"), L("responsibleCadre.phone"), L("notes"), ["建档时间", when(p.createdAt)], ["最后修改", when(p.updatedAt)], ["版本", p.version]]),
  ];
}

// ---- 时间线 ----

/** The entry's summary; a resolved follow-up's summary ends in its need's code (跟进已办结：health). */
function eventSummary(e) {
  if (e.kind === "follow_up.resolved") return e.summary.replace(/：([a-z_]+)$/, (_, need) => `：${label(vocab.followUpNeeds, need)}`);
  return e.summary;
}

const TIMELINE = [
  ["时间", (e) => when(e.at)], ["模块", (e) => label(vocab.timelineModules, e.module)], ["事件", eventSummary], ["操作人", (e) => e.accountName],
];

async function timelineTab(id) {
  const first = await get(`/v1/persons/${id}/timeline`);
  const list = table(first.items, "时间线", TIMELINE, { empty: "暂无记录" });
  let cursor = first.nextCursor || null;
  const more = h("button.no-print", { type: "button", hidden: !cursor }, "更早的记录");
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const r = await get(`/v1/persons/${id}/timeline${query({ cursor })}`);
      appendRows(list.querySelector("tbody"), r.items, TIMELINE);
      cursor = r.nextCursor || null;
      more.hidden = !cursor;
    } catch (error) {
      toast(`加载失败：${error.message}`, "bad");
    } finally {
      more.disabled = false;
    }
  });
  return [list, more];
}

// ---- 走访与义务 ----

/** "每天", "每周", "每 3 天", "每 12 小时" from a cadence in hours. */
function cadence(hours) {
  if (!hours) return "—";
  if (hours % 24) return `每 ${hours} 小时`;
  const days = hours / 24;
  if (days === 1) return "每天";
  if (days === 7) return "每周";
  if (days % 7 === 0) return `每 ${days / 7} 周`;
  return `每 ${days} 天`;
}

async function checksTab(id) {
  const [obligations, checks] = await Promise.all([get(`/v1/persons/${id}/obligations`), get(`/v1/persons/${id}/door-checks`)]);
  return [
    h("h3", "走访义务"),
    table(obligations.items, "走访义务", [
      ["要求", (o) => o.description],
      ["可计入的走访", (o) => labels(vocab.checkKinds, o.checkKinds)],
      ["周期", (o) => cadence(o.cadenceHours)],
      ["上次走访", (o) => (o.lastCheckAt ? when(o.lastCheckAt) : "从未")],
      ["下次应访", (o) => when(o.nextDueAt)],
      ["状态", (o) => (o.overdue ? h("span.badge.bad", "已逾期") : h("span.badge.ok", "未逾期"))],
    ], { empty: "没有适用的走访规则。" }),
    h("h3", "走访记录"),
    table(checks.items, "走访记录", [
      ["时间", (c) => when(c.occurredAt)],
      ["类型", (c) => label(vocab.checkKinds, c.kind)],
      ["方式", (c) => label(vocab.channels, c.channel)],
      ["情况", (c) => label(vocab.outcomes, c.outcome)],
      ["需求", (c) => labels(vocab.followUpNeeds, c.needs)],
      ["走访人", (c) => (c.visitorRole ? `${c.visitorName}（${label(vocab.roles, c.visitorRole)}）` : c.visitorName)],
      ["备注", (c) => c.notes],
    ], { empty: "暂无走访记录。" }),
  ];
}

// ---- 健康 ----

function healthSummary(view) {
  const columns = [["检查类型", (l) => label(checkupKinds, l.kind)]];
  // A helper's limited summary has no past dates or follow-up flags: those columns would only say "—".
  if (!view.limited) {
    columns.push(["上次检查", (l) => (l.lastCheckedOn ? day(l.lastCheckedOn) : "从未")],
      ["需要随访", (l) => (l.followUpNeeded === true ? h("span.badge.warn", "是") : yesNo(l.followUpNeeded))]);
  }
  columns.push(["下次应检", (l) => (l.nextDueOn ? day(l.nextDueOn) : "无规则要求")],
    ["状态", (l) => (l.overdue ? h("span.badge.bad", "已逾期") : l.nextDueOn ? h("span.badge.ok", "未到期") : "—")]);
  return table(view.summary, "体检摘要", columns, { empty: "没有体检记录，也没有适用的体检规则。" });
}

function healthDetails(id, d) {
  const measured = (c) => c.measurements.map((m) => `${(measurements[m.name] || [m.name])[0]} ${m.value} ${unitText(m.unit)}`).join("，");
  return [
    h("h3", "慢性病、过敏与残疾"),
    h("dl.pairs",
      h("dt", "慢性病"), h("dd", d.chronicConditions.join("、") || "无记录"),
      h("dt", "过敏"), h("dd", d.allergies.join("、") || "无记录"),
      h("dt", "备注"), h("dd", d.notes || "—"),
      h("dt", "残疾（人员档案）"), h("dd", d.disabilityType ? `${d.disabilityType}${d.disabilityGrade ? ` ${label(DISABILITY_GRADES, d.disabilityGrade)}` : ""}` : "无")),
    h("h3", "体检记录"),
    table(d.checkups, "体检记录（最近 100 条）", [
      ["检查日期", (c) => day(c.checkedOn)],
      ["类型", (c) => label(checkupKinds, c.kind)],
      ["测量值", measured],
      ["诊断", (c) => c.diagnoses.join("；")],
      ["检查所见", (c) => c.findings],
      ["随访", (c) => (c.followUpNeeded ? h("span.badge.warn", "需要") : "否")],
      ["医生", (c) => c.clinician],
      ["记录号", (c) => c.recordId],
    ], { empty: "暂无体检记录。" }),
    h("p.muted.small", "每次查看诊疗详情都记入审计日志。"),
    can("health.record") ? h("p.no-print", h("a", { href: `#/clinics/file/${id}` }, "在健康档案中修改慢性病与过敏")) : null,
  ];
}

async function healthTab(id) {
  const view = await get(`/v1/persons/${id}/health`);
  return [
    h("p.muted", "按你的角色显示：卫生院（室）人员可见诊疗详情，其他角色只见摘要。"),
    view.limited ? h("p.banner.warn", "按你的权限只显示年度体检是否到期。") : null,
    h("h3", "体检摘要"), healthSummary(view),
    view.details ? healthDetails(id, view.details) : null,
  ];
}

// ---- 结对帮扶 ----

function pairingStatus(p) {
  const text = label(vocab.pairingStatuses, p.status);
  if (p.status === "ended") return h("span.badge", text);
  return p.running ? h("span.badge.ok", text) : h("span.badge.warn", "未在期内");
}

async function pairingsTab(id) {
  const r = await get(`/v1/pairings${query({ personId: id })}`);
  const mine = (p) => p.people.find((x) => x.personId.toLowerCase() === id.toLowerCase()) || {};
  const helper = (x) => `${x.name || "（志愿者）"}${x.organisation ? `（${label(organisations, x.organisation)}）` : ""}`;
  const columns = [
    ["结对类型", (p) => h("a", { href: `#/volunteers/pairings/${p.id}` }, label(pairingKinds, p.kind))],
    ["志愿者", (p) => p.helpers.map(helper).join("、")],
  ];
  // Several people in one pairing: name them all (a name you may not see stays hidden).
  if (r.items.some((p) => p.people.length > 1)) columns.push(["结对对象", (p) => p.people.map((x) => x.name || "（无权查看）").join("、")]);
  if (r.items.some((p) => mine(p).consentBy)) columns.push(["监护人同意", (p) => (mine(p).consentBy ? `${mine(p).consentBy}${mine(p).consentOn ? `（${day(mine(p).consentOn)}）` : ""}` : "")]);
  columns.push(
    ["结对目标", (p) => p.goals],
    ["期限", (p) => `${day(p.startOn)} 至 ${p.endOn ? day(p.endOn) : "不定期"}`],
    ["状态", pairingStatus],
    ["结束", (p) => (p.status === "ended" ? `${day(p.endedOn)}${p.endReason ? `：${p.endReason}` : ""}` : "")]);
  return table(r.items, "结对帮扶", columns, { empty: "暂无结对帮扶。" });
}

// ---- 救助 ----

/** Yuan from fen, kept on one line ("800.00 元"). */
const money = (fen) => relief.yuan(fen).replace(" ", "\u00a0");

/** Requested, granted and paid amounts of a case, one per line (those it has). */
function amounts(c) {
  return [
    h("div", `申请 ${money(c.amountRequestedFen)}`),
    blank(c.amountGrantedFen) ? null : h("div", `批准 ${money(c.amountGrantedFen)}`),
    blank(c.paidAmountFen) ? null : h("div", `已发放 ${money(c.paidAmountFen)}`),
    c.paidOn ? h("div", `发放日期 ${day(c.paidOn)}`) : null,
  ];
}

async function reliefTab(id) {
  const r = await get(`/v1/relief/cases${query({ personId: id })}`);
  return table(r.items, "救助案件", [
    ["救助类型", (c) => h("a", { href: `#/relief/${c.id}` }, c.typeName || "救助案件")],
    ["紧急程度", (c) => (c.urgency === "emergency" ? h("span.badge.bad", label(relief.urgencies, c.urgency)) : label(relief.urgencies, c.urgency))],
    ["需求", (c) => c.need],
    ["金额", amounts],
    ["申请来源", (c) => label(relief.sources, c.source)],
    ["提交", (c) => [h("div", when(c.submittedAt)), c.raisedByName ? h("div", c.raisedByName) : null]],
    ["阶段", (c) => [relief.stateBadge(c.state), " ", relief.deadlineBadge(c)]],
  ], { empty: "暂无救助案件。" });
}

// ---- 法律援助 ----

async function legalTab(id) {
  const r = await get(`/v1/persons/${id}/legal-cases`);
  const details = can("legal_aid.read");
  return [
    details ? null : h("p.muted", "只显示是否有案件及其阶段，不显示案情。"),
    table(r.items, "法律援助案件", [
      ["受理时间", (c) => (details ? h("a", { href: `#/legal/${c.id}` }, when(c.openedAt)) : when(c.openedAt))],
      ["阶段", (c) => (Object.hasOwn(legalStages, c.stage) ? stageBadge(c.stage) : c.stageName || c.stage)],
    ], { empty: "没有法律援助案件。" }),
  ];
}

// ---- 学籍 ----

async function schoolTab(id) {
  const r = await get(`/v1/persons/${id}/enrolments`);
  const status = (s) => label(rollStatus, s);
  // A transfer inside the county names the receiving school by id; its row on the roll carries the name.
  const names = new Map(r.items.filter((e) => e.schoolName).map((e) => [e.schoolId, e.schoolName]));
  const transferTo = (name, schoolId) => name || (schoolId ? names.get(schoolId) || "县内学校" : "");
  return [
    h("h3", "学籍记录"),
    table(r.items, "学籍记录", [
      ["学校", (e) => e.schoolName],
      ["学段年级班级", (e) => gradeText(e)],
      ["住宿", (e) => (e.boarding ? "寄宿" : "走读")],
      ["状态", (e) => rollBadge(e.status)],
      ["入学日期", (e) => day(e.enrolledOn)],
      ["离校日期", (e) => day(e.endedOn)],
      ["转入学校", (e) => transferTo(e.transferToName, e.transferToSchoolId)],
    ], { empty: "不在你可见的任何学校名册上。" }),
    h("h3", "学籍状态变更"),
    table(r.changes, "学籍状态变更", [
      ["生效日期", (c) => day(c.effectiveOn)],
      ["变更", (c) => `${status(c.fromStatus)} → ${status(c.toStatus)}`],
      ["原因", (c) => c.reason],
      ["转入学校", (c) => transferTo(c.toSchoolName, c.toSchoolId)],
      ["记录人", (c) => c.recordedByName],
      ["记录时间", (c) => when(c.recordedAt)],
    ], { empty: "暂无状态变更。" }),
    r.items.length ? h("p.no-print", h("a", { href: `#/schools/${id}` }, "在学校关爱中查看谈心、心理辅导与学习帮扶")) : null,
  ];
}

// ---- 心理关爱 ----

async function counsellingTab(id) {
  const view = await get(`/v1/persons/${id}/counselling`);
  const schoolNames = new Map((view.sessions || []).map((s) => [s.schoolId, s.schoolName]));
  const parts = [
    h("p.muted", "详细内容只对本校心理老师和乡镇儿童督导员显示。"),
    h("h3", "心理辅导记录"),
    table(view.sessions, "心理辅导日期", [["辅导日期", (s) => day(s.heldOn)], ["学校", (s) => s.schoolName]], { empty: "暂无心理辅导记录。" }),
  ];
  if (view.details && view.details.length) {
    const risk = (d) => h(`span.badge${d.riskLevel === "high" ? ".bad" : d.riskLevel === "medium" ? ".warn" : ""}`, label(counsellingRisks, d.riskLevel));
    parts.push(h("h3", "辅导详情"), h("p.banner.warn", "以下为保密内容：本次查看已记入审计日志，请勿外传。"),
      table(view.details, "心理辅导详情", [
        ["辅导日期", (d) => day(d.heldOn)], ["学校", (d) => schoolNames.get(d.schoolId)], ["问题", (d) => d.issue], ["辅导记录", (d) => d.notes],
        ["后续计划", (d) => d.plan], ["风险程度", risk], ["心理老师", (d) => d.counsellorName],
      ]));
  } else if (view.sessions && view.sessions.length) {
    parts.push(h("p.muted", "辅导内容保密：这里只显示辅导的日期和学校。"));
  }
  return parts;
}

// ---- 修改记录 ----

/** Labels of history fields the form does not have (the record's own fields, list items). */
const HISTORY_FIELDS = {
  file: "档案", status: "档案状态", exitReason: "销档原因", exitedOn: "销档日期", checkedBy: "审核", householdId: "所在户",
  "child.guardian.personId": "委托监护人（在档人员）", "child.guardian": "委托监护人", villageId: "村", gridId: "网格", "child.schoolId": "学校",
  migrantFamily: "外出亲属",
};
const CATEGORY_PARTS = { category: "类别", startedOn: "起始日期", endedOn: "终止日期" };
/** The code tables of history values, by field path with list positions as []. */
const HISTORY_CODES = {
  sex: vocab.sex, riskLevel: vocab.risk, status: vocab.personStatuses, exitReason: vocab.exitReasons, "health.status": vocab.healthStatuses,
  "health.disabilityGrade": DISABILITY_GRADES, "assistance[]": vocab.assistanceKinds,
  "child.schoolStage": vocab.schoolStages, "child.parentsAway": vocab.parentsAway, "child.guardianshipType": vocab.guardianshipTypes,
  "child.guardianshipAssessment": vocab.guardianshipAssessments, "elder.livingArrangement": vocab.livingArrangements, "elder.selfCare": vocab.selfCare,
  "migrantFamily[].relationship": vocab.relationships, "categories[].category": vocab.categories,
};
/** Fields whose values are unit ids: shown by the unit's name. */
const UNIT_FIELDS = new Set(["villageId", "gridId", "child.schoolId"]);

function historyField(path) {
  let m = path.match(/^migrantFamily\[(\d+)\]\.(\w+)$/);
  if (m) return `外出亲属${Number(m[1]) + 1}·${MIGRANT[m[2]] || "其他"}`;
  m = path.match(/^categories\[(\d+)\]\.(\w+)$/);
  if (m) return `人员类别${Number(m[1]) + 1}·${CATEGORY_PARTS[m[2]] || "其他"}`;
  if (/^assistance\[\d+\]$/.test(path)) return "救助情况";
  if (/^riskFlags\[\d+\]$/.test(path)) return "风险标记";
  return HISTORY_FIELDS[path] || LABELS[path] || "其他字段";
}

/** A history value as people read it; masked values keep their mask and tag (which shows whether two masked values are the same). */
function historyValue(path, value, unitNames) {
  if (value === null || value === undefined || value === "") return "—";
  const key = path.replace(/\[\d+\]/g, "[]");
  if (UNIT_FIELDS.has(key)) return unitNames.get(value) || "（无权查看的单位）";
  if (key === "file") return value === "created" ? "新建档案" : "—";
  if (key === "checkedBy") return "已审核";
  if (key === "householdId" || key === "child.guardian.personId") return "已关联";
  if (HISTORY_CODES[key]) return label(HISTORY_CODES[key], value);
  if (value === "true" || value === "false") return value === "true" ? "是" : "否";
  const tagged = value.match(/^(.*) #([0-9a-f]{6})$/);
  if (tagged) return `${key === "birthDate" ? `${tagged[1]} 年` : tagged[1]}（标记 ${tagged[2]}）`;
  return value;
}

async function historyTab(id) {
  const r = await get(`/v1/persons/${id}/history`);
  const unitIds = [...new Set(r.items.filter((c) => UNIT_FIELDS.has(c.field)).flatMap((c) => [c.oldValue, c.newValue]).filter(Boolean))];
  const unitNames = new Map(await Promise.all(unitIds.map(async (u) => [u, await units.unit(u).then((x) => (x ? x.name : null))])));
  return table(r.items, "修改记录", [
    ["时间", (c) => when(c.at)],
    ["操作人", (c) => c.accountName],
    ["操作", (c) => label(vocab.fileChangeActions, c.action)],
    ["字段", (c) => historyField(c.field)],
    ["原值", (c) => historyValue(c.field, c.oldValue, unitNames)],
    ["新值", (c) => historyValue(c.field, c.newValue, unitNames)],
  ], { empty: "暂无修改记录。" });
}

export async function personView({ app, id, params }) {
  const held = new Set(roles());
  const visible = TABS.filter((t) => (!t.any || t.any.some(can)) && (!t.roles || t.roles.some((r) => held.has(r))));
  // A tab this user is not shown (an old link) opens the file.
  const tab = visible.some((t) => t.key === params.get("tab")) ? params.get("tab") : "file";
  const reveal = params.get("reveal") === "1" ? sessionStorage.getItem(`reveal:${id}`) : null;
  let response;
  try {
    response = await api("GET", `/v1/persons/${id}${reveal ? query({ reveal: "identifiers", reason: reveal }) : ""}`);
  } catch (error) {
    if (error.status === 404) {
      mount(app.view, h("h1", "找不到档案"), h("p.banner.warn", "此档案不存在，或不在你的工作范围内。"), h("a.button", { href: "#/persons" }, "返回列表"));
      return;
    }
    throw error;
  }
  const record = response.data;
  const p = { ...record.file, birthYear: record.birthYear, id: record.id, version: record.version, status: record.status, createdAt: record.createdAt, updatedAt: record.updatedAt,
    exit: record.exitReason ? { reason: record.exitReason, exitedOn: record.exitedOn } : null };
  let etag = (response.headers.get("etag") || String(p.version)).replaceAll('"', "");
  /** After a 412: the file as it is now; its version is taken so the user's choice can be confirmed again. */
  async function refreshed() {
    const fresh = await api("GET", `/v1/persons/${id}`);
    etag = (fresh.headers.get("etag") || String(fresh.data.version)).replaceAll('"', "");
    return fresh.data;
  }
  const [villageName, gridName] = await Promise.all([units.name(p.villageId), p.gridId ? units.name(p.gridId) : ""]);
  const panel = h("div.tab-panel", { role: "tabpanel", id: "tab-panel", "aria-labelledby": `tab-${tab}`, tabindex: "0" });
  const tabs = h("div.tabs.no-print", { role: "tablist", "aria-label": "档案分页" }, visible.map((t) => h("a", {
    role: "tab", id: `tab-${t.key}`, href: `#/persons/${id}?tab=${t.key}${reveal ? "&reveal=1" : ""}`, "aria-selected": String(t.key === tab), "aria-controls": "tab-panel",
  }, t.label)));

  const actions = h("div.row.no-print.actions",
    can("persons.write") && p.status === "active" ? h("a.button.primary", { href: `#/persons/${id}/edit` }, "编辑") : null,
    // With the full numbers once they are revealed here (the card's reveal is audited with the same reason).
    h("a.button", { href: `/v1/persons/${id}/contact-card${reveal ? query({ reveal: "identifiers", reason: reveal }) : ""}`, target: "_blank", rel: "noopener" },
      reveal ? "联系卡（打印，完整号码）" : "联系卡（打印）"),
    h("button", { type: "button", onclick: () => print() }, "打印档案"),
    can("identifiers.reveal") && !reveal ? h("button", { type: "button", id: "reveal-open", onclick: () => { revealBox.hidden = false; revealReason.focus(); } }, "查看完整号码") : null,
    reveal ? h("a.button", { href: `#/persons/${id}?tab=${tab}` }, "重新掩码") : null,
    can("persons.write") && p.status === "active" ? h("button", { type: "button", onclick: () => { exitBox.hidden = false; } }, "销档") : null,
    can("persons.write") && p.status === "exited" ? h("button", { type: "button", id: "reactivate", onclick: reactivate }, "恢复在档") : null);

  const revealReason = h("input", { name: "reason", minlength: 4, maxlength: 200 });
  const revealBox = h("form.card.no-print", { hidden: true, novalidate: true, "aria-label": "查看完整号码" },
    h("p", "查看完整身份号码和电话会被记入审计日志。请说明原因（至少 4 个字）。"),
    field("查看原因", revealReason), h("div.row", h("button.primary", { type: "submit" }, "查看"), h("button", { type: "button", onclick: () => { revealBox.hidden = true; } }, "取消")));
  revealBox.addEventListener("submit", (event) => {
    event.preventDefault();
    if (revealReason.value.trim().length < 4) {
      showFieldErrors(revealBox, { reason: "请说明原因（至少 4 个字）" });
      return;
    }
    sessionStorage.setItem(`reveal:${id}`, revealReason.value.trim());
    app.go(`#/persons/${id}?tab=${tab}&reveal=1`);
  });

  const exitReason = h("select", { name: "reason" }, Object.entries(vocab.exitReasons).map(([k, v]) => h("option", { value: k }, v)));
  const exitedOn = h("input", { name: "exitedOn", type: "date", value: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10) });
  const exitBox = h("form.card.no-print", { hidden: true, novalidate: true, "aria-label": "销档" },
    h("p", "销档不会删除档案，可随时恢复。"), h("div.grid", field("销档原因", exitReason), field("销档日期", exitedOn)),
    h("div.row", h("button.danger", { type: "submit" }, "确认销档"), h("button", { type: "button", onclick: () => { exitBox.hidden = true; } }, "取消")));
  exitBox.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/v1/persons/${id}/exit`, { reason: exitReason.value, exitedOn: exitedOn.value }, { ifMatch: etag });
      toast("已销档");
      app.render();
    } catch (error) {
      if (error.status === 422) showFieldErrors(exitBox, error.fields, vocab.message);
      else if (error.status === 412) {
        // The chosen reason and date stay: the file changed meanwhile, so the user confirms again (or sees it closed).
        try {
          const now = await refreshed();
          if (now.status !== "active") { toast("此档案已销档（可能是你刚才的提交已生效）", "bad"); app.render(); return; }
          showFieldErrors(exitBox, {}, vocab.message);
          toast("档案刚被他人修改，已取最新版本；销档原因和日期已保留，请核对后再次确认", "bad");
        } catch (reload) {
          toast(reload.offline ? "网络不通，不能确定是否已销档，请稍后刷新核对；您的选择仍在此处" : `销档失败：${reload.message}`, "bad");
        }
      } else toast(error.offline ? "网络不通，不能确定是否已销档，请稍后刷新核对；您的选择仍在此处" : `销档失败：${error.message}`, "bad");
    }
  });
  async function reactivate() {
    try {
      await post(`/v1/persons/${id}/reactivate`, undefined, { ifMatch: etag });
      toast("已恢复在档");
      app.render();
    } catch (error) {
      if (error.status !== 412) { toast(error.offline ? "网络不通，不能确定是否已恢复，请稍后刷新核对" : `恢复失败：${error.message}`, "bad"); return; }
      try {
        const now = await refreshed();
        if (now.status === "active") { toast("此档案已恢复在档（可能是你刚才的提交已生效）", "bad"); app.render(); return; }
        toast("档案刚被他人修改，已取最新版本；请再点一次“恢复在档”", "bad");
      } catch (reload) {
        toast(reload.offline ? "网络不通，不能确定是否已恢复，请稍后刷新核对" : `恢复失败：${reload.message}`, "bad");
      }
    }
  }

  mount(app.view,
    h("p.crumbs.no-print", h("a", { href: "#/persons" }, "人员档案"), " › ", p.name),
    h("h1", p.name, " ", h("span.badge", label(vocab.personStatuses, p.status)), " ",
      p.riskLevel && p.riskLevel !== "normal" ? h("span.badge.bad", label(vocab.risk, p.riskLevel)) : null),
    // A unit the caller may not read (a clinic's or a volunteer's view) has no name: it is left out.
    h("p.muted", [(p.categories || []).filter((c) => !c.endedOn).map((c) => label(vocab.categories, c.category)).join("、"), villageName, gridName]
      .filter((part) => part && part !== "—").join(" · ")),
    reveal ? h("p.banner.warn", "正在显示完整号码（已记入审计日志）。") : null,
    record.noCapableGuardian ? h("p.banner.bad", "提醒：此儿童没有有效监护人。") : null,
    record.complete ? null : h("p.banner.warn", `档案不完整，缺少：${(record.missingFields || []).map(historyField).join("、")}`),
    actions, revealBox, exitBox, tabs, panel);

  const loaders = {
    file: async () => fileSections(p, villageName, gridName),
    timeline: () => timelineTab(id),
    checks: () => checksTab(id),
    health: () => healthTab(id),
    pairings: () => pairingsTab(id),
    relief: () => reliefTab(id),
    legal: () => legalTab(id),
    school: () => schoolTab(id),
    counselling: () => counsellingTab(id),
    history: () => historyTab(id),
  };
  mount(panel, h("p.muted", "正在加载…"));
  try {
    mount(panel, h("h2.sr-only", visible.find((t) => t.key === tab).label), await loaders[tab]());
  } catch (error) {
    mount(panel, h("p.banner.warn", error.status === 403 ? "你的角色不能查看此分页。" : `加载失败：${error.message}`));
  }
}
