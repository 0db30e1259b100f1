// 人员档案: the list with the registry's filters, name search and keyset paging. The filters live in
// the URL (#/persons?unitId=…&noCapableGuardian=true), so the dashboard can link to a list.
import { h, mount, toast } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import { downloadLink, failureText } from "../../shared/download.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";

const FILTERS = ["q", "unitId", "category", "riskLevel", "schoolStage", "guardianshipType", "status", "noCapableGuardian", "gridId", "schoolId"];

function select(name, label, options, value, empty = "全部") {
  const control = h("select", { name, id: `filter-${name}` }, empty === null ? null : h("option", { value: "" }, empty),
    Object.entries(options).map(([code, text]) => h("option", { value: code, selected: code === value ? true : null }, text)));
  return h("div.field", h("label", { for: control.id }, label), control);
}

export async function personsView({ app, params }) {
  const current = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) || ""]));
  const scope = await units.inScope(["county", "town", "village"]);
  const unitControl = units.unitSelect(scope, { name: "unitId", value: current.unitId, empty: "全部（我的范围）" });
  unitControl.id = "filter-unitId";
  const search = h("input", { name: "q", id: "filter-q", type: "search", value: current.q, maxlength: 50, autocomplete: "off" });
  const form = h("form.filters.card", { role: "search", "aria-label": "筛选人员" },
    h("div.field", h("label", { for: "filter-q" }, "姓名"), search),
    h("div.field", h("label", { for: "filter-unitId" }, "单位"), unitControl),
    select("category", "人员类别", vocab.categories, current.category),
    select("riskLevel", "风险等级", vocab.risk, current.riskLevel),
    select("schoolStage", "就学阶段", vocab.schoolStages, current.schoolStage),
    select("guardianshipType", "监护类型", vocab.guardianshipTypes, current.guardianshipType),
    // The server lists files in the register (active) unless asked otherwise.
    select("status", "状态", { ...vocab.personStatuses, all: "全部" }, current.status || "active", null),
    select("noCapableGuardian", "无有效监护", { true: "是", false: "否" }, current.noCapableGuardian),
    current.gridId ? h("input", { type: "hidden", name: "gridId", value: current.gridId }) : null,
    current.schoolId ? h("input", { type: "hidden", name: "schoolId", value: current.schoolId }) : null,
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), h("a.button", { href: "#/persons" }, "清除")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form).entries());
    const hash = `#/persons${query(values)}`;
    app.go(hash);
  });
  const body = h("tbody");
  const status = h("p.muted", { role: "status", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "加载更多");
  const table = h("table.list", h("caption.sr-only", "人员档案列表"),
    h("thead", h("tr", ["姓名", "性别", "出生年", "类别", "村", "风险", "监护", "就学", "完整", "状态"].map((t) => h("th", { scope: "col" }, t)))), body);
  const actions = h("div.row.no-print",
    can("persons.write") ? h("a.button.primary", { href: "#/new" }, "新建档案") : null,
    can("persons.export") ? downloadLink(h("a.button", { id: "persons-export", href: `/v1/exports/persons${query({ ...current, q: current.q, unitId: current.unitId || (scope[0] || {}).id })}`, download: "台账.csv" }, "导出当前筛选（CSV）"),
      { onError: (error) => toast(`导出失败：${failureText(error)}`, "bad") }) : null);
  mount(app.view, h("h1", "人员档案"), form, actions, h("div.table-wrap", table), status, more);

  let cursor = null;
  let shown = 0;
  async function load() {
    more.disabled = true;
    status.textContent = "正在加载…";
    try {
      const page = await get(`/v1/persons${query({ ...current, cursor, limit: 50 })}`);
      const names = await Promise.all(page.items.map((p) => units.name(p.villageId)));
      page.items.forEach((p, i) => body.append(h("tr", { dataset: { id: p.id } },
        h("td", h("a", { href: `#/persons/${p.id}` }, p.name), p.idNumber ? h("div.muted.small", p.idNumber) : null),
        h("td", vocab.sex[p.sex] || p.sex), h("td", p.birthYear),
        h("td", p.categories.map((c) => vocab.categories[c] || c).join("、")),
        h("td", names[i]),
        h("td", h("span.badge", { className: `badge ${p.riskLevel === "high" ? "bad" : p.riskLevel === "attention" ? "warn" : ""}` }, vocab.risk[p.riskLevel] || p.riskLevel)),
        h("td", p.noCapableGuardian ? h("span.badge.bad", "无有效监护") : vocab.guardianshipTypes[p.guardianshipType] || "—"),
        h("td", vocab.schoolStages[p.schoolStage] || "—"),
        h("td", p.complete ? "完整" : h("span.badge.warn", "不完整")),
        h("td", vocab.personStatuses[p.status] || p.status))));
      shown += page.items.length;
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      status.textContent = shown ? `已显示 ${shown} 人${cursor ? "，还有更多" : "（全部）"}` : "没有符合条件的人员";
    } catch (error) {
      status.textContent = error.status === 400 || error.status === 422 ? `筛选条件有误：${error.message}` : `加载失败：${error.message}`;
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", load);
  await load();
}
