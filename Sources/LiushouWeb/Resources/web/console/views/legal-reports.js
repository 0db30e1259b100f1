// 法律援助 统计指标 (应援尽援率 by unit, cases by matter and stage, days to assignment) and 县级规则与案由
// (the county's eligibility rules and first-contact deadline, the matters; changed by county admins).
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get, post, put, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { stages, legalNav, matters, forgetMatters, countyOfCaller, readFailure, chinaToday } from "./legal-common.js";

function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1).replace(/\.0$/, "")}%`;
}

function rateBadge(unit, target) {
  if (unit.aidRate === null || unit.aidRate === undefined) return h("span.badge", "无应援案件");
  return h("span", { className: `badge ${unit.aidRate >= target ? "ok" : "bad"}` }, percent(unit.aidRate));
}

export async function indicatorsView({ app, params }) {
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || (scope[0] || {}).id;
  const from = params.has("from") ? params.get("from") : `${chinaToday().slice(0, 4)}-01-01`;
  const to = params.get("to") || "";
  const picker = units.unitSelect(scope, { name: "unitId", value: unitId });
  const fromInput = h("input", { name: "from", type: "date", value: from });
  const toInput = h("input", { name: "to", type: "date", value: to });
  const filters = h("form.filters.card.no-print", { role: "search", "aria-label": "统计范围" },
    field("单位", picker), field("受理日期自", fromInput), field("受理日期至（空为今天）", toInput),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "统计")));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/legal/indicators${query({ unitId: picker.value, from: fromInput.value || "", to: toInput.value })}`);
  });
  let body;
  try {
    if (!unitId) throw Object.assign(new Error("no unit"), { status: 404 });
    const data = await get(`/v1/legal-aid/indicators${query({ unitId, from, to })}`);
    body = await indicatorTables(data);
  } catch (error) {
    body = h("p.banner.bad", { role: "alert" }, error.status === 400 ? `统计范围有误：${vocab.message(error.message)}` : readFailure(error, "单位的统计"));
  }
  mount(app.view, h("h1", "法律援助统计指标"), legalNav("indicators"), filters, body);
}

async function indicatorTables(data) {
  const [own, ...below] = data.items;
  const matterNames = Object.fromEntries((await matters().catch(() => [])).map((m) => [m.code, m.name]));
  const usedStages = Object.keys(stages).filter((s) => own.byMatterAndStage.some((c) => c.stage === s));
  const byMatter = new Map();
  for (const c of own.byMatterAndStage) {
    if (!byMatter.has(c.matter)) byMatter.set(c.matter, {});
    byMatter.get(c.matter)[c.stage] = c.cases;
  }
  return [
    h("section.card.legal-rate", { "aria-labelledby": "legal-rate-h" },
      h("h2", { id: "legal-rate-h" }, `应援尽援率 · ${own.unitName}`),
      h("p.legal-rate-figure", rateBadge(own, data.target)),
      h("p", `符合法律援助条件的留守儿童案件 ${own.eligibleChildCases} 件，已指派承办 ${own.aidedChildCases} 件；目标 ${percent(data.target)}。`),
      h("p.muted.small", `统计受理日期 ${data.from} 至 ${data.to}；受理后至指派的中位天数：${own.medianDaysToAssignment ?? "—"}。申请人在指派前撤回的不计入。`)),
    h("h2", "下级单位"),
    below.length ? h("div.table-wrap", h("table.list", h("caption.sr-only", "各下级单位的法律援助指标"),
      h("thead", h("tr", ["单位", "案件数", "应援儿童案件", "已援", "应援尽援率", "受理至指派中位天数"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", below.map((u) => h("tr", h("th", { scope: "row" }, u.unitName), h("td", u.cases), h("td", u.eligibleChildCases), h("td", u.aidedChildCases),
        h("td", rateBadge(u, data.target)), h("td", u.medianDaysToAssignment ?? "—")))))) : h("p.muted", "没有下级单位。"),
    h("h2", "按案由和阶段"),
    byMatter.size ? h("div.table-wrap", h("table.list", h("caption.sr-only", `${own.unitName} 各案由各阶段的案件数`),
      h("thead", h("tr", h("th", { scope: "col" }, "案由"), usedStages.map((s) => h("th", { scope: "col" }, stages[s])))),
      h("tbody", [...byMatter].map(([code, counts]) => h("tr", h("th", { scope: "row" }, matterNames[code] || code),
        usedStages.map((s) => h("td", counts[s] || 0))))))) : h("p.muted", "此期间没有受理案件。"),
  ];
}

/** A group of checkboxes with one error box (named after the first box, as showFieldErrors expects). */
function checkGroup(legend, name, table, checked) {
  const boxes = Object.entries(table).map(([code, text], i) => {
    const input = h("input", { type: "checkbox", name, value: code, checked: checked.includes(code) ? true : null, id: i === 0 ? `legal-${name}` : null });
    return h("label.chip", input, h("span", text));
  });
  return h("fieldset.chips", h("legend", legend), boxes, h("p.field-error", { id: `legal-${name}-error`, role: "alert" }));
}

export async function settingsView({ app }) {
  const county = await countyOfCaller();
  if (!county) {
    mount(app.view, h("h1", "县级规则与案由"), legalNav("settings"), h("p.banner.warn", "找不到你所在的县。"));
    return;
  }
  let response;
  let matterList;
  try {
    [response, matterList] = await Promise.all([api("GET", `/v1/legal-aid/settings/${county.id}`), matters()]);
  } catch (error) {
    mount(app.view, h("h1", "县级规则与案由"), legalNav("settings"), h("p.banner.bad", { role: "alert" }, readFailure(error, "县级规则")));
    return;
  }
  const current = h("div");
  const state = { settings: response.data };
  const showCurrent = () => mount(current, settingsSummary(state.settings));
  showCurrent();
  mount(app.view, h("h1", "县级规则与案由"), legalNav("settings"),
    h("section.card", { "aria-labelledby": "legal-settings-h" }, h("h2", { id: "legal-settings-h" }, `${county.name}的援助规则`), current,
      can("legal_aid.configure") ? settingsForm(county, state, showCurrent) : null),
    mattersSection(app, county, matterList));
}

function settingsSummary(s) {
  return h("dl.pairs",
    h("dt", "视为经济困难的救助"), h("dd", s.hardshipAssistance.map((k) => vocab.assistanceKinds[k] || k).join("、") || "无"),
    h("dt", "免于经济困难审查的人员类别"), h("dd", ["未成年人（法定）", ...s.meansFreeCategories.map((c) => vocab.categories[c] || c)].join("、")),
    h("dt", "首次联系期限"), h("dd", `指派后 ${s.firstContactDays} 天内`),
    h("dt", "版本"), h("dd", s.version ? `第 ${s.version} 版` : "默认规则（本县尚未设置）"));
}

function settingsForm(county, state, showCurrent) {
  const s = state.settings;
  const days = h("input", { name: "firstContactDays", type: "number", min: 1, max: 60, value: s.firstContactDays, inputmode: "numeric" });
  const problems = h("div", { role: "alert" });
  const submit = h("button.primary", { type: "submit" }, "保存规则");
  const form = h("form.legal-settings", { novalidate: true, id: "legal-settings", "aria-labelledby": "legal-settings-form-h" },
    h("h3", { id: "legal-settings-form-h" }, "修改规则"), problems,
    checkGroup("视为经济困难的救助", "hardshipAssistance", vocab.assistanceKinds, s.hardshipAssistance),
    checkGroup("免于经济困难审查的人员类别", "meansFreeCategories", vocab.categories, s.meansFreeCategories),
    field("首次联系期限（天）", days, { hint: "1 至 60 天；只对此后指派的案件生效" }),
    h("div.actions", submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    const body = { hardshipAssistance: checked("hardshipAssistance"), meansFreeCategories: checked("meansFreeCategories"), firstContactDays: Number(days.value) };
    submit.disabled = true;
    try {
      state.settings = await put(`/v1/legal-aid/settings/${county.id}`, body, { ifMatch: state.settings.version });
      showCurrent();
      toast("规则已保存");
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, error.fields, (m) => (/1 to 60/.test(m) ? "须为 1 至 60 天" : /repeat/.test(m) ? "不能重复" : vocab.message(m)));
        mount(problems, h("p.banner.bad", `请改正标出的内容${rest.length ? "：" + rest.join("；") : ""}`));
      } else if (error.status === 412) {
        try {
          state.settings = await get(`/v1/legal-aid/settings/${county.id}`);
          showCurrent();
        } catch {
          // The summary stays as it was; the message below still applies.
        }
        mount(problems, h("p.banner.warn", "规则刚被他人修改，你的修改没有保存。上方已显示最新规则；你的选择仍在，核对后可再次保存。"));
      } else {
        mount(problems, h("p.banner.bad", error.status === 403 || error.status === 404 ? "你不能修改此县的规则。" : `保存失败：${error.message}`));
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function mattersSection(app, county, matterList) {
  const table = h("div.table-wrap", h("table.list", h("caption.sr-only", "案由"),
    h("thead", h("tr", ["案由", "代码", "免于经济困难审查", "来源"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", matterList.map((m) => h("tr", h("td", m.name), h("td", h("code", m.code)), h("td", m.meansFree ? "是" : "否"), h("td", m.countyId ? "本县增设" : "全国目录"))))));
  return h("section.card", { "aria-labelledby": "legal-matters-h" }, h("h2", { id: "legal-matters-h" }, "案由"),
    table, can("legal_aid.configure") ? matterForm(app, county) : null);
}

function matterForm(app, county) {
  const code = h("input", { name: "code", maxlength: 40, autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
  const name = h("input", { name: "name", maxlength: 50, autocomplete: "off" });
  const meansFree = h("select", { name: "meansFree" }, h("option", { value: "false" }, "否（须审查经济困难）"), h("option", { value: "true" }, "是（如家庭暴力）"));
  const problems = h("div", { role: "alert" });
  const submit = h("button.primary", { type: "submit" }, "增设案由");
  const form = h("form.legal-matter", { novalidate: true, id: "legal-matter", "aria-labelledby": "legal-matter-h" },
    h("h3", { id: "legal-matter-h" }, "增设本县案由"), problems,
    h("div.grid", field("名称", name), field("代码", code, { hint: "小写字母开头，2–40 位小写字母、数字或 _" }), field("免于经济困难审查", meansFree)),
    h("div.actions", submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    submit.disabled = true;
    try {
      await post("/v1/legal-aid/matters", { countyId: county.id, code: code.value.trim(), name: name.value.trim(), meansFree: meansFree.value === "true" });
      forgetMatters();
      toast("已增设案由");
      app.render();
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, error.fields, (m) => (/national list/.test(m) ? "是全国目录中的代码" : /lower-case/.test(m) ? "格式不正确" : vocab.message(m)));
        mount(problems, h("p.banner.bad", `请改正标出的内容${rest.length ? "：" + rest.join("；") : ""}`));
      } else {
        mount(problems, h("p.banner.bad", error.status === 409 ? "本县已有此代码的案由，内容不同。" : `保存失败：${error.message}`));
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
