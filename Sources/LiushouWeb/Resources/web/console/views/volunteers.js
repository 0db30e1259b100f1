// 志愿结对: the volunteer register with the background check, pairings of volunteers with
// children, women and elders (guardian's consent for children), ending them, effect checks,
// service hours and the pairing rate. Sections by permission; detail pages by id.
import { h, mount, field } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as units from "../units.js";
import { codeSelect, day, loadError, organisations, screening, screeningBadge, sectionNav, skills } from "./clinics-common.js";
import { volunteerForm } from "./volunteers-form.js";
import { pairingsList, pairingForm, pairingDetail } from "./volunteers-pairings.js";
import { hoursSection, rateSection, volunteerHours } from "./volunteers-stats.js";

function sections() {
  return [
    { key: "register", href: "#/volunteers", label: "志愿者名册", ok: can("volunteers.read") },
    { key: "new", href: "#/volunteers/new", label: "登记志愿者", ok: can("volunteers.manage") },
    { key: "pairings", href: "#/volunteers/pairings", label: "结对帮扶", ok: can("pairings.read") },
    { key: "pair", href: "#/volunteers/pair", label: "新建结对", ok: can("pairings.manage") },
    { key: "hours", href: "#/volunteers/hours", label: "服务时长", ok: can("volunteers.read") },
    { key: "rate", href: "#/volunteers/rate", label: "结对率", ok: can("volunteers.read") },
  ].filter((s) => s.ok);
}

export async function volunteersView({ app, id, sub, params }) {
  const links = sections();
  // Detail pages belong to their list's tab: #/volunteers/v/<id>, #/volunteers/pairings/<id>.
  const key = id === "v" ? "register" : id || links[0]?.key;
  const body = h("div.care-body");
  mount(app.view, h("h1", "志愿结对"), sectionNav("志愿结对分区", links.map((l) => ({ ...l, current: l.key === key }))), body);
  if (!links.some((l) => l.key === key)) {
    mount(body, h("p.banner.warn", { role: "alert" }, "你的角色不能打开此部分。"));
    return;
  }
  const render = {
    register: () => (id === "v" && sub ? volunteerDetail(app, sub) : registerList(app, params)),
    new: () => volunteerForm(app, null),
    pairings: () => (sub ? pairingDetail(app, sub) : pairingsList(app, params)),
    pair: () => pairingForm(app, params),
    hours: () => hoursSection(app, params),
    rate: () => rateSection(app, params),
  }[key];
  mount(body, await render());
}

function screeningCell(v) {
  return h("span", { className: `badge ${screeningBadge[v.screening]}` }, screening[v.screening] || v.screening);
}

async function registerList(app, params) {
  const filters = { screening: params.get("screening") || "", skill: params.get("skill") || "" };
  const form = h("form.filters.card.no-print", { role: "search", "aria-label": "筛选志愿者" },
    field("审查状态", codeSelect("screening", screening, filters.screening, "全部")),
    field("技能", codeSelect("skill", skills, filters.skill, "全部")),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/volunteers${query(Object.fromEntries(new FormData(form).entries()))}`);
  });
  let list;
  try {
    list = (await get(`/v1/volunteers${query(filters)}`)).items;
  } catch (error) {
    return [form, h("p.banner.bad", { role: "alert" }, loadError(error))];
  }
  const names = await Promise.all(list.map((v) => units.name(v.unitId)));
  return h("section", { "aria-labelledby": "register-h" }, h("h2", { id: "register-h" }, "志愿者名册"), form,
    h("p.muted", { role: "status" }, `${list.length} 名志愿者；只有审查通过的志愿者才能与儿童结对。`),
    list.length ? h("div.table-wrap", h("table.list.volunteers", h("caption.sr-only", "志愿者名册"),
      h("thead", h("tr", ["姓名", "登记单位", "来源", "技能", "背景审查", "审查日期", "电话"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", list.map((v, i) => h("tr", { dataset: { id: v.id } },
        h("td", h("a", { href: `#/volunteers/v/${v.id}` }, v.name)), h("td", names[i]),
        h("td", [organisations[v.organisation] || v.organisation, v.organisationName].filter(Boolean).join(" · ")),
        h("td", v.skills.map((s) => skills[s] || s).join("、") || "—"), h("td", screeningCell(v)), h("td", day(v.screenedOn)), h("td", v.phone || "—"))))))
      : h("p", "没有符合条件的志愿者。"));
}

async function volunteerDetail(app, id) {
  let volunteer;
  let version;
  try {
    const response = await api("GET", `/v1/volunteers/${id}`);
    volunteer = response.data;
    version = Number((response.headers.get("etag") || "").replaceAll('"', "")) || volunteer.version;
  } catch (error) {
    return h("p.banner.bad", { role: "alert" }, loadError(error));
  }
  const unitName = await units.name(volunteer.unitId);
  return [
    h("section.card", { "aria-labelledby": "volunteer-h" },
      h("h2", { id: "volunteer-h" }, volunteer.name, " ", screeningCell(volunteer)),
      h("dl.pairs",
        h("dt", "登记单位"), h("dd", unitName),
        h("dt", "来源"), h("dd", [organisations[volunteer.organisation], volunteer.organisationName].filter(Boolean).join(" · ")),
        h("dt", "技能"), h("dd", volunteer.skills.map((s) => skills[s] || s).join("、") || "—"),
        h("dt", "可服务时间"), h("dd", volunteer.availability || "—"),
        h("dt", "电话"), h("dd", volunteer.phone || "—"),
        h("dt", "公民身份号码"), h("dd", volunteer.idNumber || "—"),
        h("dt", "背景审查"), h("dd", `${screening[volunteer.screening]}${volunteer.screenedOn ? `（${volunteer.screenedOn}）` : ""}`),
        h("dt", "登录账号"), h("dd", volunteer.accountId ? "已关联" : "未关联（不能使用外勤应用）")),
      h("div.row.no-print",
        can("pairings.manage") && volunteer.screening !== "failed" ? h("a.button.primary", { href: `#/volunteers/pair?volunteerId=${volunteer.id}` }, "为此志愿者新建结对") : null,
        can("pairings.read") ? h("a.button", { href: `#/volunteers/pairings?volunteerId=${volunteer.id}` }, "查看其结对") : null)),
    can("volunteers.manage") ? await volunteerForm(app, { volunteer, version }) : null,
    await volunteerHours(volunteer),
  ];
}
