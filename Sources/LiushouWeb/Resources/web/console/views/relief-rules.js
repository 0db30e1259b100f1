// 救助类型与工作日 (county administrators): the case types in force with their deadlines, adding a
// type (or the county's own rules for a default key), and the county's calendar of holidays and 调休.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { get, post, put, query } from "../../shared/api.js";
import * as R from "./relief-common.js";

export async function rulesTab({ app, params, scope }) {
  const counties = scope.filter((u) => u.kind === "county");
  const county = counties[0];
  if (!county) {
    mount(app.view, h("h1", "帮扶救助"), R.tabs("rules"), h("p.banner.warn", { role: "alert" }, "救助类型和工作日由县级设置，你的工作范围内没有县。"));
    return;
  }
  const year = Number(params.get("year")) || Number(R.todayChina().slice(0, 4));
  const [types, calendar] = await Promise.all([
    get(`/v1/relief/case-types${query({ unitId: county.id })}`), get(`/v1/relief/calendar${query({ unitId: county.id, year })}`)]);
  mount(app.view, h("h1", "帮扶救助"), R.tabs("rules"),
    h("p", `${county.name}：新提交（或申请复核）的案件按此处的规则计算审批时限，已提交的案件保持原时限。`),
    typesSection(app, county, types.items), calendarSection(app, county, year, calendar.items));
}

function typesSection(app, county, types) {
  const form = h("form.card", { novalidate: true, id: "type-form", "aria-labelledby": "type-add-h" },
    h("h3", { id: "type-add-h" }, "新增救助类型"),
    h("div.grid",
      field("类型代码", h("input", { name: "key", maxlength: 40, autocomplete: "off" }), { hint: "小写字母、数字和下划线，如 winter_heating；填默认类型的代码即为本县设定该类型的时限" }),
      field("名称", h("input", { name: "name", maxlength: 100 })),
      field("审批时限（工作日）", h("input", { name: "decisionWorkingDays", type: "number", min: 1, max: 90, value: 10 })),
      field("紧急案件时限（小时）", h("input", { name: "emergencyHours", type: "number", min: 1, max: 168, value: 24 })),
      field("金额上限（元，可空）", h("input", { name: "maxAmountFen", inputmode: "decimal" }))),
    h("button.primary", { type: "submit" }, "新增类型"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const value = (name) => form.querySelector(`[name="${name}"]`).value.trim();
    const max = value("maxAmountFen") ? R.fenFrom(value("maxAmountFen")) : undefined;
    if (max === null) {
      showFieldErrors(form, { maxAmountFen: "请填写金额，如 5000" });
      return;
    }
    button.disabled = true;
    try {
      await post("/v1/relief/case-types", { countyId: county.id, key: value("key"), name: value("name"),
        decisionWorkingDays: Number(value("decisionWorkingDays")), emergencyHours: Number(value("emergencyHours")), maxAmountFen: max });
      toast("已新增救助类型");
      app.render();
    } catch (error) {
      button.disabled = false;
      if (error.status === 409) showFieldErrors(form, { key: "本县已有此类型代码" });
      else if (error.status === 422 || error.status === 400) showFieldErrors(form, error.fields, R.message);
      else toast(R.failure(error), "bad");
    }
  });
  return h("section", { "aria-labelledby": "types-h" }, h("h2", { id: "types-h" }, "救助类型"),
    h("div.table-wrap", h("table.list", h("caption.sr-only", "救助类型"),
      h("thead", h("tr", ["名称", "代码", "审批时限", "紧急时限", "金额上限", "来源"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", types.map((t) => h("tr", h("td", t.name), h("td", t.key), h("td", `${t.decisionWorkingDays} 个工作日`), h("td", `${t.emergencyHours} 小时`),
        h("td", t.maxAmountFen ? R.yuan(t.maxAmountFen) : "不限"), h("td", t.countyId ? "本县设定" : "平台默认")))))),
    form);
}

function calendarSection(app, county, year, days) {
  const form = h("form.card", { novalidate: true, id: "calendar-form", "aria-labelledby": "day-set-h" },
    h("h3", { id: "day-set-h" }, "设定一天"),
    h("div.grid",
      field("日期", h("input", { name: "day", type: "date" })),
      field("这一天", R.choice("working", { false: "放假（不计工作日）", true: "调休上班（计工作日）" }, "false")),
      field("说明（可选）", h("input", { name: "note", maxlength: 100 }), { hint: "如：国庆节、春节调休" })),
    h("button.primary", { type: "submit" }, "保存"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const value = (name) => form.querySelector(`[name="${name}"]`).value.trim();
    if (!value("day")) {
      showFieldErrors(form, { day: "请选择日期" });
      return;
    }
    button.disabled = true;
    try {
      await put("/v1/relief/calendar", { countyId: county.id, days: [{ day: value("day"), working: value("working") === "true", note: value("note") || null }] });
      toast("已保存");
      app.go(`#/relief${query({ tab: "rules", year: value("day").slice(0, 4) })}`);
    } catch (error) {
      button.disabled = false;
      if (error.status === 422 || error.status === 400) {
        const rest = showFieldErrors(form, error.fields, R.message);
        if (rest.length) toast(rest.join("；"), "bad");
      } else toast(R.failure(error), "bad");
    }
  });
  const yearNav = h("nav.row.no-print", { "aria-label": "选择年份" },
    [year - 1, year, year + 1].map((y) => h("a.button", { href: `#/relief?tab=rules&year=${y}`, "aria-current": y === year ? "page" : null }, `${y} 年`)));
  return h("section", { "aria-labelledby": "calendar-h" }, h("h2", { id: "calendar-h" }, `${year} 年工作日调整`),
    h("p.muted", "默认周一至周五为工作日。此处列出放假的工作日和调休上班的周末。"), yearNav,
    days.length ? h("div.table-wrap", h("table.list", h("caption.sr-only", "工作日调整"),
      h("thead", h("tr", ["日期", "安排", "说明"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", days.map((d) => h("tr", h("td", d.day), h("td", d.working ? h("span.badge.warn", "调休上班") : h("span.badge.ok", "放假")), h("td", d.note || "")))))) : h("p", "这一年还没有调整。"),
    form);
}
