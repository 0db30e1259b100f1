// 法律援助: the case list (filter by stage), the overdue first contacts, and the routes of the
// section: #/legal/new (intake), #/legal/<id> (a case), #/legal/indicators, #/legal/settings.
import { h, mount, formatTime } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as units from "../units.js";
import { stages, urgencies, stageBadge, legalNav, matters, readFailure, codeSelect } from "./legal-common.js";
import { intakeView } from "./legal-intake.js";
import { caseView } from "./legal-case.js";
import { indicatorsView, settingsView } from "./legal-reports.js";

const PAGES = { new: intakeView, overdue: overdueView, indicators: indicatorsView, settings: settingsView };

export async function legalView(context) {
  const page = context.id ? PAGES[context.id] || caseView : casesView;
  return page(context);
}

/** A table of case rows (GET /v1/legal-cases and /v1/legal-aid/overdue answer the same rows). */
async function caseTable(rows, caption) {
  const matterNames = Object.fromEntries((await matters().catch(() => [])).map((m) => [m.code, m.name]));
  const places = await Promise.all(rows.map((r) => units.name(r.unitId)));
  return h("div.table-wrap", h("table.list.legal-cases", h("caption.sr-only", caption),
    h("thead", h("tr", ["当事人", "案由", "阶段", "紧急程度", "受理时间", "承办人", "首次联系期限", "所在单位"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", rows.map((r, i) => h("tr", { dataset: { id: r.id } },
      h("td", h("a", { href: `#/legal/${r.id}` }, r.personName || "（无权查看姓名）")),
      h("td", matterNames[r.matter] || r.matter),
      h("td", stageBadge(r.stage)),
      h("td", r.urgency === "normal" ? urgencies.normal : h("span.badge.warn", urgencies[r.urgency] || r.urgency)),
      h("td", formatTime(r.openedAt)),
      h("td", r.assigneeName || "—"),
      h("td", r.firstContactDue ? [formatTime(r.firstContactDue), " ", r.overdue ? h("span.badge.bad", "已逾期") : null] : "—"),
      h("td", places[i]))))));
}

async function casesView({ app, params }) {
  const stage = stages[params.get("stage")] ? params.get("stage") : "";
  const picker = codeSelect("stage", stages, { value: stage, empty: "全部阶段" });
  picker.id = "legal-stage";
  const filters = h("form.filters.card.no-print", { role: "search", "aria-label": "筛选案件" },
    h("div.field", h("label", { for: picker.id }, "阶段"), picker),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), h("a.button", { href: "#/legal" }, "清除")));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/legal${query({ stage: picker.value })}`);
  });
  let list;
  try {
    const data = await get(`/v1/legal-cases${query({ stage })}`);
    // Newest first reads best at a desk; the server answers oldest first.
    const rows = [...data.items].reverse();
    list = [h("p.muted", { role: "status" }, `${rows.length} 件${stage ? `（${stages[stage]}）` : ""}`),
      rows.length ? await caseTable(rows, "法律援助案件") : h("p", "没有符合条件的案件。")];
  } catch (error) {
    list = h("p.banner.bad", { role: "alert" }, readFailure(error, "案件列表"));
  }
  mount(app.view, h("h1", "法律援助"), legalNav("cases"),
    h("p", "涉及留守儿童的案件，符合法律援助规定的，100% 给予法律援助。案件详情仅司法所和乡镇、县级管理员可见。"),
    can("legal_aid.manage") ? h("p.no-print", h("a.button.primary", { href: "#/legal/new" }, "受理新申请")) : null,
    filters, list);
}

async function overdueView({ app }) {
  let body;
  try {
    const data = await get("/v1/legal-aid/overdue");
    body = [h("p.muted", { role: "status" }, `${data.items.length} 件已指派但逾期未首次联系`),
      data.items.length ? await caseTable(data.items, "首次联系逾期的案件") : h("p.banner.ok", "没有逾期未联系的案件。")];
  } catch (error) {
    body = h("p.banner.bad", { role: "alert" }, readFailure(error, "逾期列表"));
  }
  mount(app.view, h("h1", "首次联系逾期"), legalNav("overdue"),
    h("p", "已指派承办人、超过县定期限仍未与申请人首次联系的案件，最早到期的在前。"), body);
}
