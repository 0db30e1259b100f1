// 帮扶救助: the words, money and deadline helpers shared by the relief screens.
import { h } from "../../shared/ui.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";

export const states = {
  submitted: "待村级评议", village_reviewed: "待乡镇审批", approved: "已批准待发放", paid: "已发放",
  rejected: "未批准", closed: "已结案", withdrawn: "已撤回",
};
/** The stages a case moves through while open, in order; the others end a case. */
export const openStates = ["submitted", "village_reviewed", "approved", "paid"];
export const endedStates = ["rejected", "closed", "withdrawn"];
export const awaitingDecision = ["submitted", "village_reviewed"];

export const actions = {
  review: "评议通过，报乡镇", approve: "批准", reject: "不予批准", pay: "登记发放", close: "结案", withdraw: "撤回申请", appeal: "申请复核",
};
export const actionNames = {
  review: "村级评议", approve: "乡镇审批通过", reject: "乡镇审批未通过", pay: "救助金发放", close: "结案", withdraw: "撤回申请", appeal: "申请复核",
};
export const urgencies = { normal: "一般", emergency: "紧急" };
export const sources = { cadre: "村干部代为申请", self: "本人申请", follow_up: "网格走访跟进" };
export const channels = { bank_transfer: "银行转账", social_security_card: "社保卡", cash: "现金" };

/** "1,234.50 元" from fen (integer arithmetic, no float rounding). */
export function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100).toLocaleString("zh-CN");
  return `${sign}${whole}.${String(abs % 100).padStart(2, "0")} 元`;
}

/** Fen from a yuan amount typed as "1234" or "1234.5"; null when it is not a money amount. */
export function fenFrom(text) {
  const match = String(text).trim().replaceAll(",", "").match(/^(\d{1,9})(?:\.(\d{1,2}))?$/);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

/** Yuan typed form of fen ("1234.50"), for prefilling an amount field. */
export function yuanInput(fen) {
  return fen ? `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, "0")}` : "";
}

/** Days or hours until (or past) the decision deadline: { text, kind } for a badge. */
export function countdown(dueAt, now = Date.now()) {
  const hours = (Date.parse(dueAt) - now) / 3600000;
  const abs = Math.abs(hours);
  const span = abs < 48 ? `${Math.max(1, Math.round(abs))} 小时` : `${Math.round(abs / 24)} 天`;
  if (hours < 0) return { text: `已超期 ${span}`, kind: "bad" };
  return { text: `剩 ${span}`, kind: hours < 24 ? "warn" : "ok" };
}

/** The deadline badge of a case still awaiting a decision (nothing once decided). */
export function deadlineBadge(c) {
  if (!awaitingDecision.includes(c.state)) return null;
  const { text, kind } = countdown(c.decisionDueAt);
  return h(`span.badge.${c.overdue ? "bad" : kind}.deadline`, { title: "审批时限" }, text);
}

export function stateBadge(state) {
  const kind = state === "rejected" ? "bad" : ["approved", "paid", "closed"].includes(state) ? "ok" : state === "withdrawn" ? "" : "warn";
  return h(`span.badge${kind ? "." + kind : ""}`, states[state] || state);
}

/** Today as YYYY-MM-DD in China Standard Time (the server's calendar). */
export function todayChina() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}

/** The server's English field messages of the relief routes in Chinese. */
export function message(text) {
  if (!text) return "";
  const rules = [
    [/^must be (\d+) to (\d+) fen$/, (m) => `金额须在 ${yuan(Number(m[1]))} 至 ${yuan(Number(m[2]))} 之间`],
    [/^give the reason/, () => "请填写理由"], [/is required to (approve|pay)/, () => "必填"],
    [/^is before the decision/, () => "不能早于审批日期"],
    [/outside your relief scope|not in your scope|^no such active person in your relief scope/i, () => "此人不在你的救助工作范围内（或已销档）"],
    [/^must be a type in force|^is not a case type|^no such case type in this county/i, () => "请选择本县有效的救助类型"],
    [/^this type grants at most (\d+) fen$/, (m) => `此类救助最多 ${yuan(Number(m[1]))}`],
    [/^no such follow-up of this person$/, () => "此人没有这条跟进事项"],
    [/^is not a relief officer or administrator covering this person$/, () => "不是负责此人的民政助理或管理员"],
    [/^describe the need/, () => "请描述需求（1 至 2000 个字）"], [/^name the follow-up exactly when source is follow_up$/, () => "来源为跟进事项时须选定跟进事项"],
    [/^only approve and pay carry an amount$/, () => "只有批准和发放时填写金额"], [/^only pay carries a (date|channel)$/, () => "只有发放时填写此项"],
    [/^case types are set by a county$/, () => "救助类型由县设定"], [/^the calendar is set by a county$/, () => "工作日历由县设定"],
  ];
  for (const [pattern, make] of rules) {
    const match = text.match(pattern);
    if (match) return make(match);
  }
  return vocab.message(text);
}

/** The relief tabs the caller may open. */
export function tabs(current) {
  const list = [["cases", "案件看板", "relief.read"], ["overdue", "超期案件", "relief.reports"], ["indicators", "统计指标", "relief.reports"],
    ["payments", "月度发放台账", "relief.reports"], ["rules", "救助类型与工作日", "relief.rules"]].filter(([, , p]) => can(p));
  return h("nav.row.no-print.relief-tabs", { "aria-label": "帮扶救助栏目" }, list.map(([key, label]) =>
    h("a.button", { href: key === "cases" ? "#/relief" : `#/relief?tab=${key}`, "aria-current": key === current ? "page" : null }, label)));
}

/** A labelled <select> from a {code: text} map. */
export function choice(name, options, value = "", empty = null) {
  return h("select", { name }, empty !== null ? h("option", { value: "" }, empty) : null,
    Object.entries(options).map(([code, text]) => h("option", { value: code, selected: code === value ? true : null }, text)));
}

/** A Chinese sentence for an API failure that is not a field error. */
export function failure(error) {
  if (error.offline) return "网络不可用，请稍后重试。";
  if (error.status === 403) return "你的角色不能进行此操作。";
  if (error.status === 404) return "找不到该记录，或它不在你的工作范围内。";
  if (error.status === 412) return "此案件刚被他人更新，已载入最新状态。";
  if (error.transient) return "服务器暂时不可用，请稍后重试。";
  return `操作失败：${error.message}`;
}
