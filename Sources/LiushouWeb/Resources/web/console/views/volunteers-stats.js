// 服务时长 per organisation for a unit and per volunteer, by month; 结对率 per unit (target 100 %).
import { h, field } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import * as units from "../units.js";
import { loadError, organisations, percent } from "./clinics-common.js";

const thisYear = () => new Date().getFullYear();

/** Unit and (optionally) year pickers that navigate on change. */
async function pickers(app, route, params, withYear) {
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || (scope[0] || {}).id;
  const year = Number(params.get("year")) || thisYear();
  const unit = units.unitSelect(scope, { name: "unitId", value: unitId });
  unit.id = `${route}-unit`;
  const yearSelect = h("select", { name: "year", id: `${route}-year` },
    [0, 1, 2].map((back) => h("option", { value: thisYear() - back, selected: thisYear() - back === year ? true : null }, `${thisYear() - back} 年`)));
  const go = () => app.go(`#/volunteers/${route}${query({ unitId: unit.value, year: withYear ? yearSelect.value : "" })}`);
  unit.addEventListener("change", go);
  yearSelect.addEventListener("change", go);
  const form = h("form.filters.card.no-print", { role: "search", "aria-label": "选择单位" }, field("单位", unit), withYear ? field("年份", yearSelect) : null);
  return { unitId, year, form };
}

const hoursText = (minutes) => (minutes / 60).toFixed(1);

export async function hoursSection(app, params) {
  const { unitId, year, form } = await pickers(app, "hours", params, true);
  const head = [h("h2", { id: "hours-h" }, "服务时长（按志愿者来源）"), form];
  let data;
  try {
    data = unitId ? await get(`/v1/volunteer-hours${query({ unitId, year })}`) : { items: [] };
  } catch (error) {
    return h("section", { "aria-labelledby": "hours-h" }, head, h("p.banner.bad", { role: "alert" }, loadError(error)));
  }
  const total = data.items.reduce((sum, m) => sum + m.minutes, 0);
  return h("section", { "aria-labelledby": "hours-h" }, head,
    h("p", { role: "status" }, `${year} 年为本单位人员服务共 ${hoursText(total)} 小时，${data.items.reduce((s, m) => s + m.visits, 0)} 次走访。`),
    data.items.length ? h("div.table-wrap", h("table.hours", h("caption", "按月、按来源"),
      h("thead", h("tr", ["月份", "来源", "走访次数", "服务小时", "志愿者人数"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((m) => h("tr", h("td", m.month), h("td", organisations[m.organisation] || m.organisation || "—"),
        h("td", m.visits), h("td", hoursText(m.minutes)), h("td", m.volunteers ?? "—"))))))
      : h("p", "这一年还没有志愿者走访记录。"),
    h("p.muted.small", "每名志愿者的服务时长见志愿者名册中各人的页面。"));
}

/** A volunteer's hours this year by month (their page). */
export async function volunteerHours(volunteer) {
  let data;
  try {
    data = await get(`/v1/volunteers/${volunteer.id}/hours${query({ year: thisYear() })}`);
  } catch (error) {
    return h("p.banner.bad", { role: "alert" }, loadError(error));
  }
  return h("section", { "aria-labelledby": "vhours-h" }, h("h2", { id: "vhours-h" }, `${data.year} 年服务时长：${hoursText(data.totalMinutes)} 小时`),
    data.months.length ? h("div.table-wrap", h("table", h("caption.sr-only", "按月服务时长"),
      h("thead", h("tr", ["月份", "走访次数", "服务小时"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.months.map((m) => h("tr", h("td", m.month), h("td", m.visits), h("td", hoursText(m.minutes)))))))
      : h("p", "今年还没有走访记录。"));
}

export async function rateSection(app, params) {
  const { unitId, form } = await pickers(app, "rate", params, false);
  const head = [h("h2", { id: "rate-h" }, "结对帮扶率"), form];
  let data;
  try {
    data = unitId ? await get(`/v1/pairing-rate${query({ unitId })}`) : { items: [], target: 1 };
  } catch (error) {
    return h("section", { "aria-labelledby": "rate-h" }, head, h("p.banner.bad", { role: "alert" }, loadError(error)));
  }
  return h("section", { "aria-labelledby": "rate-h" }, head,
    h("p", `今天有进行中结对的在档人员 ÷ 在档人员；目标 ${percent(data.target)}。`),
    h("div.table-wrap", h("table.rate", h("caption.sr-only", "结对帮扶率"),
      h("thead", h("tr", ["单位", "已结对", "在档人员", "结对率"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((r, i) => h("tr", { className: i === 0 ? "total" : null },
        h("th", { scope: "row" }, r.unitName), h("td", r.paired), h("td", r.people),
        h("td", h("span.rate-value", percent(r.rate)), h("meter", { min: 0, max: 1, low: 0.5, high: 0.9, optimum: 1, value: r.rate ?? 0, "aria-label": `${r.unitName} 结对率` }))))))));
}
