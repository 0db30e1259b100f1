// 法律援助: the Chinese names of the legal-aid API's codes, the section's navigation and small
// helpers shared by its pages.
import { h } from "../../shared/ui.js";
import { get } from "../../shared/api.js";
import { can, profile } from "../../shared/session.js";
import * as units from "../units.js";

export const stages = {
  intake: "已受理", eligible: "准予援助", refused: "不予援助", refusal_upheld: "复核维持不予援助",
  assigned: "已指派", in_progress: "办理中", closed: "已结案",
};
export const urgencies = { normal: "一般", urgent: "紧急", emergency: "特急" };
export const intakeChannels = { walk_in: "来访申请", follow_up: "网格跟进转来", police: "公安转介", school: "学校转介", court: "法院转介" };
export const bases = { minor: "未成年人（免于经济困难审查）", economic_hardship: "经济困难（低保、特困等）", category: "县定免审人员类别", matter: "免审事项（如家庭暴力）" };
export const modes = { mediation: "调解", litigation: "诉讼", advice: "法律咨询" };
export const outcomes = { mediated: "调解结案", judgment: "判决结案", referred: "转交其他机构", withdrawn: "申请人撤回" };
export const reviewDecisions = { overturn: "撤销原决定，准予援助", uphold: "维持不予援助" };
export const assigneeKinds = { officer: "司法所工作人员", lawyer: "律师" };

/** The badge class of a stage. */
export function stageBadge(stage) {
  const kind = { closed: "ok", refused: "bad", refusal_upheld: "bad", intake: "warn" }[stage] || "";
  return h("span", { className: `badge ${kind}`.trim() }, stages[stage] || stage);
}

/** The section's pages, as a row of links (the current one marked). */
export function legalNav(current) {
  const links = [
    ["cases", "#/legal", "案件列表", true],
    ["overdue", "#/legal/overdue", "首次联系逾期", true],
    ["new", "#/legal/new", "受理申请", can("legal_aid.manage")],
    ["indicators", "#/legal/indicators", "统计指标", can("legal_aid.read")],
    ["settings", "#/legal/settings", "县级规则与案由", can("legal_aid.read")],
  ];
  return h("nav.row.no-print.legal-nav", { "aria-label": "法律援助" },
    links.filter(([, , , shown]) => shown).map(([key, href, label]) =>
      h("a.button", { href, "aria-current": key === current ? "page" : null }, label)));
}

let matterList = null;
/** The matters (案由) the caller's county uses, cached for the page's life. */
export function matters() {
  if (!matterList) matterList = get("/v1/legal-aid/matters").then((r) => r.items).catch((error) => {
    matterList = null;
    throw error;
  });
  return matterList;
}

export function forgetMatters() {
  matterList = null;
}

export async function matterName(code) {
  const list = await matters().catch(() => []);
  return (list.find((m) => m.code === code) || {}).name || code;
}

/** Whether the caller holds one of `roles` on a unit covering `unitId` (the server's rule for transitions). */
export async function holdsOver(roles, unitId) {
  const target = await units.unit(unitId);
  const grants = (profile()?.grants || []).filter((g) => roles.includes(g.role));
  if (!target) return false;
  const paths = await Promise.all(grants.map(async (g) => g.unitPath || (await units.unit(g.unitId))?.path));
  return paths.some((p) => p && (target.path === p || target.path.startsWith(p + ".")));
}

/**
 * The county of the caller's units: the root of their grants' paths (a town's staff may not read the
 * county's own unit, so its name may be unknown).
 */
export async function countyOfCaller() {
  const paths = (profile()?.grants || []).map((g) => g.unitPath).filter(Boolean);
  if (!paths.length) return null;
  const hex = paths[0].split(".")[0].replace(/^u/, "");
  const id = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-").toUpperCase();
  const county = await units.unit(id);
  return { id, name: county ? county.name : "本县" };
}

/** A page's error message for a failed read (403/404 in plain Chinese). */
export function readFailure(error, what) {
  if (error.status === 404) return `找不到此${what}，或你无权查看。`;
  if (error.status === 403) return `你的角色不能查看此${what}。`;
  if (error.offline) return "网络不可用，请稍后再试。";
  return `加载失败：${error.message}`;
}

/** A <select> of a code table; `empty` adds a first blank option. */
export function codeSelect(name, table, { value = "", empty = null } = {}) {
  return h("select", { name },
    empty !== null ? h("option", { value: "" }, empty) : null,
    Object.entries(table).map(([code, text]) => h("option", { value: code, selected: code === value ? true : null }, text)));
}

/** Today in China, YYYY-MM-DD. */
export function chinaToday() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
}
