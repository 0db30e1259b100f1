// 帮扶救助: the case board by stage with deadline countdowns, the overdue list, and the routes to a
// case (#/relief/<id>), a new case (#/relief/new), the indicators, the payment book and the rules.
import { h, mount, field, formatTime } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as units from "../units.js";
import * as R from "./relief-common.js";
import { reliefCaseView } from "./relief-case.js";
import { reliefNewView } from "./relief-new.js";
import { indicatorsTab, paymentsTab } from "./relief-reports.js";
import { rulesTab } from "./relief-rules.js";

export async function reliefView(context) {
  const { id, params } = context;
  if (id === "new") return reliefNewView(context);
  if (id) return reliefCaseView(context);
  const tab = params.get("tab") || "cases";
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || (scope[0] || {}).id || "";
  const tabContext = { ...context, scope, unitId, unitPicker: () => unitPicker(context.app, scope, unitId, params) };
  try {
    if (tab === "overdue" && can("relief.reports")) return await overdueTab(tabContext);
    if (tab === "indicators" && can("relief.reports")) return await indicatorsTab(tabContext);
    if (tab === "payments" && can("relief.reports")) return await paymentsTab(tabContext);
    if (tab === "rules" && can("relief.rules")) return await rulesTab(tabContext);
    return await boardTab(tabContext);
  } catch (error) {
    if (![400, 403, 404].includes(error.status)) throw error;
    mount(context.app.view, h("h1", "帮扶救助"), R.tabs(tab), h("p.banner.bad", { role: "alert" },
      error.status === 400 ? "查询条件有误，请重新选择单位或月份。" : R.failure(error)), h("p", h("a", { href: "#/relief" }, "返回案件看板")));
  }
}

/** The unit <select> of a tab: changing it reloads the tab for that unit. */
function unitPicker(app, scope, unitId, params) {
  const picker = units.unitSelect(scope, { name: "unitId", value: unitId });
  picker.id = "relief-unit";
  picker.addEventListener("change", () => {
    const next = Object.fromEntries(params.entries());
    app.go(`#/relief${query({ ...next, unitId: picker.value })}`);
  });
  return field("单位", picker);
}

async function boardTab({ app, params, unitId, unitPicker: picker }) {
  const state = params.get("state") || "";
  const stateControl = R.choice("state", R.states, state, "全部阶段");
  stateControl.id = "relief-state";
  stateControl.addEventListener("change", () => app.go(`#/relief${query({ unitId, state: stateControl.value })}`));
  const data = unitId ? await get(`/v1/relief/cases${query({ unitId, state })}`) : { items: [] };
  const byState = Object.fromEntries(Object.keys(R.states).map((s) => [s, []]));
  for (const c of data.items) (byState[c.state] ||= []).push(c);
  // Cases awaiting a decision come soonest deadline first; the rest newest first (the server's order).
  for (const s of R.awaitingDecision) byState[s].sort((a, b) => a.decisionDueAt.localeCompare(b.decisionDueAt));
  const overdue = data.items.filter((c) => c.overdue).length;
  mount(app.view, h("h1", "帮扶救助"), R.tabs("cases"),
    h("form.filters.card.no-print", { role: "search", "aria-label": "筛选案件" }, picker(), field("阶段", stateControl),
      can("relief.raise") ? h("div.field.buttons", h("a.button.primary", { href: "#/relief/new", id: "new-case" }, "新建救助申请")) : null),
    h("p.muted", { role: "status" }, `${data.items.length} 件案件${overdue ? `，其中 ${overdue} 件已超审批时限` : ""}${data.items.length >= 500 ? "（只显示最新 500 件）" : ""}`),
    h("div.relief-board", R.openStates.filter((s) => !state || s === state).map((s) => column(s, byState[s]))),
    endedTable(R.endedStates.flatMap((s) => byState[s]).filter((c) => !state || c.state === state)));
}

function column(state, cases) {
  const headingId = `col-${state}`;
  return h("section.relief-column", { "aria-labelledby": headingId, dataset: { state } },
    h("h2", { id: headingId }, R.states[state], h("span.count", ` ${cases.length}`)),
    cases.length ? h("ul.queue", cases.map(caseCard)) : h("p.muted", "暂无"));
}

function caseCard(c) {
  return h(`li.card.relief-card${c.overdue ? ".urgent" : ""}`, { dataset: { id: c.id } },
    h("div.row", h("a.case-link", { href: `#/relief/${c.id}` }, c.personName || "（人员）"), c.urgency === "emergency" ? h("span.badge.bad", "紧急") : null),
    h("p.small", `${c.typeName} · ${R.yuan(c.amountGrantedFen ?? c.amountRequestedFen)}`),
    h("div.row.small", R.deadlineBadge(c), c.state === "paid" && c.paidOn ? h("span.muted", `${c.paidOn} 发放`) : null,
      R.awaitingDecision.includes(c.state) ? null : h("span.muted", `提交 ${formatTime(c.submittedAt)}`)));
}

function endedTable(cases) {
  if (!cases.length) return null;
  return h("section", { "aria-labelledby": "ended-h" }, h("h2", { id: "ended-h" }, "已结束的案件", h("span.count", ` ${cases.length}`)),
    h("div.table-wrap", h("table.list", h("caption.sr-only", "已结束的案件"),
      h("thead", h("tr", ["申请人", "救助类型", "结果", "申请金额", "发放金额", "提交时间"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", cases.map((c) => h("tr", { dataset: { id: c.id } },
        h("td", h("a", { href: `#/relief/${c.id}` }, c.personName || "（人员）")), h("td", c.typeName), h("td", R.stateBadge(c.state)),
        h("td", R.yuan(c.amountRequestedFen)), h("td", R.yuan(c.paidAmountFen)), h("td", formatTime(c.submittedAt))))))));
}

async function overdueTab({ app, unitId, unitPicker: picker }) {
  const data = unitId ? await get(`/v1/relief/overdue${query({ unitId })}`) : { items: [] };
  const late = (hours) => (hours >= 48 ? `${Math.round(hours / 24)} 天` : `${hours} 小时`);
  mount(app.view, h("h1", "帮扶救助"), R.tabs("overdue"),
    h("form.filters.card.no-print", { role: "search", "aria-label": "选择单位" }, picker()),
    h("h2", "超过审批时限的案件"),
    h("p.muted", { role: "status" }, data.items.length ? `${data.items.length} 件案件已超过审批时限，按时限先后排列` : "没有超过审批时限的案件。"),
    data.items.length ? h("div.table-wrap", h("table.list", h("caption.sr-only", "超期案件"),
      h("thead", h("tr", ["申请人", "村", "救助类型", "紧急程度", "阶段", "提交时间", "审批时限", "已超期"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((o) => h("tr", { dataset: { id: o.caseId } },
        h("td", h("a", { href: `#/relief/${o.caseId}` }, o.personName || "（人员）")), h("td", o.villageName || "—"), h("td", o.typeName),
        h("td", R.urgencies[o.urgency] || o.urgency), h("td", R.states[o.state] || o.state), h("td", formatTime(o.submittedAt)),
        h("td", formatTime(o.decisionDueAt)), h("td", h("span.badge.bad", late(o.hoursLate)))))))) : null);
}
