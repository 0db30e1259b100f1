// 学校关爱: a school's roll (在校留守儿童), the month's talks due (谈心谈话), the 五个一 table, the
// dropout-control cases (控辍保学), enrolment rates and the school's counsellors. A child's own page
// (status changes, talks, counselling, family contact, learning plans) is in schools-child.js.
import { h, mount, field, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as units from "../units.js";
import * as S from "./schools-util.js";
import { childView } from "./schools-child.js";
import { dropoutList } from "./schools-dropout.js";

const TABS = [
  { key: "roll", label: "在校名册", school: true },
  { key: "talks", label: "谈心谈话", school: true },
  { key: "five-ones", label: "五个一", school: true },
  { key: "dropout", label: "控辍保学" },
  { key: "rates", label: "入学率" },
  { key: "counsellors", label: "心理老师", school: true, any: ["schools.counsellors"] },
];

export async function schoolsView({ app, id, params }) {
  if (!can("schools.read")) {
    mount(app.view, h("h1", "学校关爱"), h("p.banner.warn", { role: "alert" }, "你的角色不能查看学校关爱记录。"));
    return;
  }
  const schools = await S.callerSchools();
  const schoolId = schools.some((s) => s.id === params.get("school")) ? params.get("school") : (schools[0] || {}).id;
  if (id) return childView({ app, personId: id, params, schoolId, schools });
  const visible = TABS.filter((t) => (!t.school || schoolId) && (!t.any || t.any.some(can)));
  const tab = visible.find((t) => t.key === params.get("tab")) || visible[0];
  const link = (key, extra = {}) => `#/schools${query({ school: schoolId, tab: key, ...extra })}`;
  const panel = h("div.tab-panel", { role: "tabpanel", id: "schools-panel", "aria-labelledby": `schools-tab-${tab.key}`, tabindex: "0" });
  const picker = schools.length > 1 ? schoolPicker(app, schools, schoolId, tab.key) : null;
  const school = schools.find((s) => s.id === schoolId);
  mount(app.view, h("h1", "学校关爱", school && tab.school ? h("span.muted", ` · ${school.name}`) : null),
    picker,
    h("div.tabs.no-print", { role: "tablist", "aria-label": "学校关爱分页" }, visible.map((t) => h("a", {
      role: "tab", id: `schools-tab-${t.key}`, href: link(t.key), "aria-selected": String(t.key === tab.key), "aria-controls": "schools-panel",
    }, t.label))),
    panel);
  mount(panel, h("p.muted", "正在加载…"));
  const loaders = { roll: rollTab, talks: talksTab, "five-ones": fiveOnesTab, dropout: dropoutList, rates: ratesTab, counsellors: counsellorsTab };
  try {
    mount(panel, h("h2.sr-only", tab.label), await loaders[tab.key]({ app, params, schoolId, schools, link }));
  } catch (error) {
    mount(panel, h("p.banner.warn", { role: "alert" }, error.status === 403 ? "你的角色不能查看此分页。"
      : error.status === 404 ? "找不到此学校，或它不在你的工作范围内。" : `加载失败：${error.message}`));
  }
}

function schoolPicker(app, schools, schoolId, tab) {
  const control = h("select", { name: "school", id: "schools-school" },
    schools.map((s) => h("option", { value: s.id, selected: s.id === schoolId ? true : null }, s.name)));
  control.addEventListener("change", () => app.go(`#/schools${query({ school: control.value, tab })}`));
  return h("form.filters.card.no-print", { role: "search", "aria-label": "选择学校" }, field("学校", control));
}

function childLink(schoolId, personId, name, tab) {
  return h("a", { href: `#/schools/${personId}${query({ school: schoolId, tab })}` }, name || "（儿童）");
}

async function rollTab({ app, params, schoolId }) {
  const scope = params.get("status") === "all" ? "all" : "open";
  const roll = await get(`/v1/schools/${schoolId}/roll${query({ status: scope })}`);
  const search = h("input", { name: "q", type: "search", id: "roll-q", value: params.get("q") || "" });
  const status = S.select("rollStatus", S.rollStatus, { empty: "全部状态", value: params.get("rollStatus") || "" });
  status.id = "roll-status";
  const body = h("tbody");
  const count = h("p.muted", { role: "status" });
  function render() {
    const q = search.value.trim();
    const rows = roll.items.filter((e) => (!q || (e.personName || "").includes(q)) && (!status.value || e.status === status.value));
    mount(body, rows.map((e) => h("tr", { dataset: { id: e.id, person: e.personId } },
      h("td", childLink(schoolId, e.personId, e.personName, "roll")), h("td", S.gradeText(e)), h("td", S.statusBadge(e.status)),
      h("td", e.enrolledOn), h("td", e.boarding ? "是" : "否"),
      h("td", e.status === "transferred_out" ? (e.transferToName || "县内学校") : e.endedOn || "—"))));
    count.textContent = `${rows.length} 名儿童（名册共 ${roll.items.length} 条）`;
    app.replaceQuery({ school: schoolId, tab: "roll", status: scope === "all" ? "all" : "", q, rollStatus: status.value });
  }
  search.addEventListener("input", render);
  status.addEventListener("change", render);
  render();
  const dropped = roll.items.filter((e) => e.status === "dropped_out").length;
  return [
    h("nav.row.no-print", { "aria-label": "名册范围" },
      h("a.button", { href: `#/schools${query({ school: schoolId, tab: "roll" })}`, "aria-current": scope === "open" ? "page" : null }, "当前在册"),
      h("a.button", { href: `#/schools${query({ school: schoolId, tab: "roll", status: "all" })}`, "aria-current": scope === "all" ? "page" : null }, "含已转出、毕业")),
    dropped ? h("p.banner.bad", `名册上有 ${dropped} 名辍学儿童（辍学不销学籍），请跟进控辍保学。`) : null,
    h("form.filters.card.no-print", { role: "search", "aria-label": "筛选名册" }, field("姓名", search), field("状态", status)),
    count,
    h("div.table-wrap", h("table.list.roll", h("caption.sr-only", "在校留守儿童名册"),
      h("thead", h("tr", ["姓名", "学段年级班级", "状态", "入学日期", "寄宿", "离校"].map((t) => h("th", { scope: "col" }, t)))), body)),
    h("div.row.no-print", h("button", { type: "button", onclick: () => print() }, "打印名册")),
  ];
}

function monthPicker(app, schoolId, tab, month) {
  const control = h("input", { name: "month", type: "month", id: `${tab}-month`, value: month, max: S.chinaMonth() });
  control.addEventListener("change", () => control.value && app.go(`#/schools${query({ school: schoolId, tab, month: control.value })}`));
  return h("form.filters.card.no-print", { "aria-label": "选择月份" }, field("月份", control));
}

async function talksTab({ app, params, schoolId }) {
  const month = /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : S.chinaMonth();
  const due = await get(`/v1/schools/${schoolId}/talks-due${query({ month })}`);
  const record = can("schools.care");
  return [
    h("p", "班主任每月与每名留守儿童谈心一次，并填好记录卡。下表为本月尚未谈心的儿童。"),
    monthPicker(app, schoolId, "talks", month),
    h("p.muted", { role: "status" }, due.items.length ? `${month}：${due.items.length} 名儿童尚未谈心` : `${month}：名册上的儿童都已谈心`),
    due.items.length ? h("div.table-wrap", h("table.list.talks-due", h("caption.sr-only", `${month} 待谈心儿童`),
      h("thead", h("tr", ["姓名", "年级班级", "状态", "上次谈心", record ? "操作" : null].filter(Boolean).map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", due.items.map((d) => h("tr", { dataset: { person: d.personId } },
        h("td", childLink(schoolId, d.personId, d.personName, "talk")), h("td", `${d.grade} 年级${d.className ? ` · ${d.className}` : ""}`),
        h("td", S.statusBadge(d.status)), h("td", d.lastTalkOn || "从未"),
        record ? h("td", h("a.button", { href: `#/schools/${d.personId}${query({ school: schoolId, tab: "talk" })}`, "aria-label": `为 ${d.personName || "儿童"} 记录谈心` }, "记录谈心")) : null))))) : null,
  ];
}

const FIVE = [
  ["weeklyCall", "每周一个电话", (f) => `${f.weeksWithCall}/4 周（${f.calls} 次）`],
  ["monthlyLetter", "每月一封信", (f) => `${f.letters} 封`],
  ["classTeacher", "与班主任联系", (f) => `${f.classTeacherContacts} 次`],
  ["subjectTeacher", "与任课教师联系", (f) => `${f.subjectTeacherContacts} 次`],
  ["yearlyHomeVisit", "每年回家一次", (f) => `近 12 个月 ${f.homeVisitsLast12Months} 次`],
  ["monthlyFeedback", "学校向家长反馈", (f) => `${f.feedback} 次`],
];

async function fiveOnesTab({ app, params, schoolId }) {
  const month = /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : S.chinaMonth();
  const data = await get(`/v1/schools/${schoolId}/five-ones${query({ month })}`);
  const allMet = data.items.filter((f) => Object.values(f.met).every(Boolean)).length;
  return [
    h("p", "五个一：每周一个电话，每月一封信，每月与班主任、任课教师各联系一次，每年至少回家一次；学校每月向家长反馈。"),
    monthPicker(app, schoolId, "five-ones", month),
    h("p.muted", { role: "status" }, `${month}：${data.items.length} 名儿童，${allMet} 名全部达标`),
    h("div.table-wrap", h("table.list.five-ones", h("caption", `${month} 五个一落实情况`),
      h("thead", h("tr", h("th", { scope: "col" }, "姓名"), FIVE.map(([, label]) => h("th", { scope: "col" }, label)))),
      h("tbody", data.items.map((f) => h("tr", { dataset: { person: f.personId } },
        h("th", { scope: "row" }, childLink(schoolId, f.personId, f.personName, "contact")),
        FIVE.map(([key, , text]) => h("td", h(`span.badge.${f.met[key] ? "ok" : "warn"}`, f.met[key] ? "达标" : "未达标"), " ", text(f)))))))),
    h("div.row.no-print", h("button", { type: "button", onclick: () => print() }, "打印本月五个一")),
  ];
}

const pct = (r) => (r.rate === null || r.rate === undefined ? "—" : `${(r.rate * 100).toFixed(1)}%`);

async function ratesTab({ app, params, schoolId, schools }) {
  const areas = await units.inScope(["county", "town", "village"]);
  const choices = [...areas, ...schools.filter((s) => !areas.some((a) => a.id === s.id))];
  const unitId = choices.some((u) => u.id === params.get("unitId")) ? params.get("unitId") : (areas[0] || { id: schoolId }).id;
  const picker = units.unitSelect(choices, { name: "unitId", value: unitId });
  picker.id = "rates-unit";
  const on = h("input", { name: "on", type: "date", id: "rates-on", value: params.get("on") || S.chinaToday(), max: S.chinaToday() });
  const reload = () => app.go(`#/schools${query({ school: schoolId, tab: "rates", unitId: picker.value, on: on.value })}`);
  picker.addEventListener("change", reload);
  on.addEventListener("change", reload);
  const data = await get(`/v1/school-rates${query({ unitId, on: params.get("on") })}`);
  const rate = (r) => h("td", pct(r), h("span.muted", `（${r.numerator}/${r.denominator}）`));
  return [
    h("form.filters.card.no-print", { "aria-label": "选择单位和日期" }, field("单位", picker), field("日期", on)),
    h("p.muted", `统计日 ${data.on}，学年始于 ${data.schoolYearStart}。入学率：6–15 岁在学 ÷ 6–15 岁；巩固率：学年初在学者中仍在学的比例；入园率：3–5 岁在园 ÷ 3–5 岁。`),
    h("div.table-wrap", h("table.list.rates", h("caption", "入学率、巩固率、入园率"),
      h("thead", h("tr", ["单位", "类型", "入学率", "巩固率", "入园率"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((l, i) => h("tr", { className: i === 0 ? "total" : "" },
        h("th", { scope: "row" }, l.unitName), h("td", units.kindNames[l.unitKind] || l.unitKind),
        rate(l.enrolment), rate(l.retention), rate(l.kindergarten)))))),
  ];
}

async function counsellorsTab({ schoolId }) {
  const staff = can("users.read") ? await get(`/v1/users${query({ kind: "user", unitId: schoolId, limit: 200 })}`).then((r) => r.items, () => []) : [];
  const list = staff.filter((a) => !a.disabled && (a.grants || []).some((g) => g.role === "school_staff" && g.unitId === schoolId));
  const account = h("select", { name: "accountId", id: "counsellor-account" },
    list.map((a) => h("option", { value: a.id }, `${a.displayName}（${a.username}）`)));
  const result = h("p", { role: "status", id: "counsellor-result" });
  async function act(kind, button) {
    button.disabled = true;
    try {
      const path = kind === "designate" ? `/v1/schools/${schoolId}/counsellors` : `/v1/schools/${schoolId}/counsellors/${account.value}/revoke`;
      const response = await api("POST", path, { body: kind === "designate" ? { accountId: account.value } : undefined });
      const name = account.selectedOptions[0].textContent;
      result.textContent = kind === "revoke" ? `已撤销 ${name} 的心理老师指定。`
        : response.status === 201 ? `已指定 ${name} 为本校心理老师。` : `${name} 已是本校心理老师。`;
      toast(result.textContent);
    } catch (error) {
      result.textContent = error.status === 404 && kind === "revoke" ? "此账号目前不是本校心理老师。"
        : error.status === 422 ? "此账号不是本校在职教职工。" : S.problemText(error);
    } finally {
      button.disabled = false;
    }
  }
  const designate = h("button.primary", { type: "button", id: "counsellor-designate", onclick: (e) => act("designate", e.currentTarget) }, "指定为心理老师");
  const revoke = h("button", { type: "button", id: "counsellor-revoke", onclick: (e) => act("revoke", e.currentTarget) }, "撤销指定");
  return [
    h("p", "只有乡镇指定的心理老师能记录和查看本校的心理辅导详情；班主任和其他教职工只能看到辅导发生过。"),
    list.length ? h("form.card", { "aria-label": "指定心理老师", novalidate: true },
      field("本校教职工", account, { hint: "系统不提供当前心理老师名单：指定已指定的人会提示“已是”，撤销未指定的人会提示“不是”。" }),
      h("div.row", designate, revoke), result)
      : h("p.banner.warn", "找不到本校的教职工账号（须有用户查看权限）。"),
  ];
}
