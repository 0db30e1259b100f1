// Create and edit forms for the three groups (children, women, elders). Server 422 errors appear at
// their fields; every save sends If-Match; a 412 keeps the user's typing and shows what changed.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { getPath, setPath, text, clone } from "../paths.js";

const CHILD = ["left_behind_child", "child_in_difficulty"];
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

// [path, label, type, options, hint]
const COMMON = [
  ["name", "姓名", "text", null, null, { required: true, maxlength: 50 }],
  ["idNumber", "公民身份号码", "text", null, "18 位；已有号码显示为掩码，不修改则保留原号码", { maxlength: 18, autocomplete: "off", spellcheck: "false" }],
  ["sex", "性别", "select", vocab.sex, "无身份号码时必填"],
  ["birthDate", "出生日期", "date", null, "无身份号码时必填"],
  ["ethnicity", "民族", "text", null, null, { maxlength: 20 }],
  ["phone", "本人电话", "tel"],
  ["householdRegistration", "户籍地", "text"],
  ["currentAddress", "现住址", "text"],
  ["riskLevel", "风险等级", "select", vocab.risk],
];
const HEALTH = [
  ["health.status", "健康状况", "select", vocab.healthStatuses],
  ["health.disabilityType", "残疾类别", "text", null, "残疾时填写，如 肢体、视力"],
  ["health.disabilityGrade", "残疾等级", "select", { 1: "一级", 2: "二级", 3: "三级", 4: "四级" }],
  ["health.illness", "所患重病", "text"],
  ["incomeSource", "主要收入来源", "text"],
];
const CHILD_FIELDS = [
  ["child.schoolStage", "就学阶段", "select", vocab.schoolStages],
  ["child.schoolId", "学校", "school"],
  ["child.boarding", "是否寄宿", "select", { true: "是", false: "否" }],
  ["child.parentsAway", "父母外出情况", "select", vocab.parentsAway],
  ["child.guardianshipType", "监护类型", "select", vocab.guardianshipTypes],
  ["child.guardianshipAssessment", "监护评估", "select", vocab.guardianshipAssessments],
];
const GUARDIAN = [
  ["child.guardian.name", "委托监护人姓名", "text"],
  ["child.guardian.relationship", "与儿童关系", "text", null, "如 祖父、外祖母、叔叔"],
  ["child.guardian.phone", "监护人电话", "tel"],
  ["child.guardian.idNumber", "监护人身份号码", "text"],
  ["child.guardian.address", "监护人住址", "text"],
  ["child.guardianshipConfirmedOn", "委托监护确认书签订日期", "date"],
];
const WOMAN_FIELDS = [["woman.employment", "就业情况", "text"], ["woman.trainingNeeds", "培训需求", "text"]];
const ELDER_FIELDS = [
  ["elder.livingArrangement", "居住情况", "select", vocab.livingArrangements],
  ["elder.selfCare", "自理能力", "select", vocab.selfCare],
  ["elder.chronicIllness", "慢性病", "text"],
];
const migrant = (i) => [
  [`migrantFamily[${i}].name`, "姓名", "text"],
  [`migrantFamily[${i}].relationship`, "关系", "select", vocab.relationships],
  [`migrantFamily[${i}].phone`, "电话", "tel"],
  [`migrantFamily[${i}].workProvince`, "务工省份", "text"],
  [`migrantFamily[${i}].workCity`, "务工城市", "text"],
  [`migrantFamily[${i}].employer`, "工作单位", "text"],
];
const OTHER = [["responsibleCadre.name", "包保责任人", "text"], ["responsibleCadre.phone", "包保责任人电话", "tel"], ["notes", "备注", "textarea"]];

const ALL = [...COMMON, ...HEALTH, ...CHILD_FIELDS, ...GUARDIAN, ...WOMAN_FIELDS, ...ELDER_FIELDS, ...migrant(0), ...migrant(1), ...OTHER];
export const LABELS = Object.fromEntries([...ALL.map(([p, l]) => [p, p.startsWith("migrantFamily") ? `外出亲属${Number(p[14]) + 1}·${l}` : l]),
  ["categories", "人员类别"], ["assistance", "救助情况"], ["health", "健康状况"], ["child.guardian", "委托监护人"], ["villageId", "村"], ["gridId", "网格"]]);

function control([path, , type, options, , attrs = {}], value, schoolList) {
  const id = `pf-${path.replace(/[^a-zA-Z0-9]/g, "-")}`;
  if (type === "select" || type === "school") {
    const opts = type === "school" ? Object.fromEntries(schoolList.map((s) => [s.id, s.name])) : options;
    return h("select", { name: path, id }, h("option", { value: "" }, "（未填）"),
      Object.entries(opts).map(([code, label]) => h("option", { value: code, selected: code === value ? true : null }, label)));
  }
  if (type === "textarea") return h("textarea", { name: path, id, maxlength: 2000 }, value);
  return h("input", { name: path, id, type: type === "tel" ? "tel" : type === "date" ? "date" : "text", value, ...attrs });
}

function section(title, specs, file, schoolList, attrs = {}) {
  return h("fieldset.form-section", attrs, h("legend", title),
    h("div.grid", specs.map((spec) => field(spec[1], control(spec, text(getPath(file, spec[0])), schoolList), { hint: spec[4] }))));
}

function checkboxes(name, legend, options, checked) {
  return h("fieldset.chips", { dataset: { field: name } }, h("legend", legend),
    Object.entries(options).map(([code, label], i) => h("label.chip", h("input", { type: "checkbox", name, value: code, id: i === 0 ? name : null, checked: checked.includes(code) ? true : null }), h("span", label))),
    h("p.field-error", { id: `${name}-error`, role: "alert" }));
}

/** The file as the form says it: the base file with every form field set (empty → null). */
function fromForm(form, base) {
  const file = clone(base) || {};
  const data = new FormData(form);
  const checked = data.getAll("categories");
  const periods = (file.categories || []).map((p) => ({ ...p }));
  for (const p of periods) if (!p.endedOn && !checked.includes(p.category)) p.endedOn = today();
  for (const c of checked) if (!periods.some((p) => p.category === c && !p.endedOn)) periods.push({ category: c, startedOn: today() });
  file.categories = periods;
  file.assistance = data.getAll("assistance");
  file.villageId = data.get("villageId") || null;
  file.gridId = data.get("gridId") || null;
  for (const [path, , type] of ALL) {
    const control = form.elements.namedItem(path);
    if (!control || control.closest("fieldset[hidden]")) continue;
    let value = control.value.trim();
    if (value === "") value = null;
    else if (path === "child.boarding") value = value === "true";
    else if (path === "health.disabilityGrade") value = Number(value);
    setPath(file, path, value);
  }
  const isChild = checked.some((c) => CHILD.includes(c));
  if (!isChild) file.child = null;
  if (!checked.includes("left_behind_woman")) file.woman = null;
  if (!checked.includes("left_behind_elder")) file.elder = null;
  if (file.child && file.child.guardian && !file.child.guardian.name && !file.child.guardian.relationship && !file.child.guardian.phone) file.child.guardian = null;
  if (file.health && !file.health.status) file.health = null;
  if (file.responsibleCadre && !file.responsibleCadre.name) file.responsibleCadre = null;
  file.migrantFamily = (file.migrantFamily || []).filter((m) => m && m.name);
  for (const key of ["child", "woman", "elder"]) if (file[key] && Object.values(file[key]).every((v) => v === null)) file[key] = null;
  return file;
}

/** Path → text of every field the form shows, for comparing versions. */
export function flatten(file) {
  const out = {};
  for (const [path] of ALL) out[path] = text(getPath(file, path));
  out.categories = text((file.categories || []).filter((p) => !p.endedOn).map((p) => vocab.categories[p.category] || p.category));
  out.assistance = text((file.assistance || []).map((a) => vocab.assistanceKinds[a] || a));
  out.villageId = file.villageId || "";
  out.gridId = file.gridId || "";
  return out;
}

export async function personFormView({ app, id, params }) {
  const editing = !!id;
  let base = null;
  let etag = null;
  if (editing) {
    const response = await api("GET", `/v1/persons/${id}`);
    base = response.data.file;
    etag = (response.headers.get("etag") || String(response.data.version)).replaceAll('"', "");
  } else {
    const group = params.get("group") || "child";
    const category = { child: "left_behind_child", woman: "left_behind_woman", elder: "left_behind_elder", difficulty: "child_in_difficulty" }[group] || "left_behind_child";
    base = { categories: [], riskLevel: "normal" };
    base.categories = [];
    base._preset = category;
  }
  const createId = crypto.randomUUID();
  const [villages, schoolList] = await Promise.all([units.inScope(["village"]), units.schools().catch(() => [])]);
  const open = (base.categories || []).filter((p) => !p.endedOn).map((p) => p.category);
  if (base._preset) open.push(base._preset);
  delete base._preset;

  const villageSelect = units.unitSelect(villages, { name: "villageId", value: base.villageId || (villages.length === 1 ? villages[0].id : ""), empty: "（请选择）" });
  villageSelect.id = "pf-villageId";
  const gridSelect = h("select", { name: "gridId", id: "pf-gridId" });
  async function fillGrids() {
    const list = await units.grids(villageSelect.value);
    gridSelect.replaceChildren(h("option", { value: "" }, "（未分网格）"), list.map((g) => h("option", { value: g.id, selected: g.id === base.gridId ? true : null }, g.name)));
  }
  villageSelect.addEventListener("change", fillGrids);
  await fillGrids();

  const childSection = section("儿童情况", CHILD_FIELDS, base, schoolList);
  const guardianSection = section("委托监护人", GUARDIAN, base, schoolList);
  const womanSection = section("留守妇女情况", WOMAN_FIELDS, base, schoolList);
  const elderSection = section("留守老人情况", ELDER_FIELDS, base, schoolList);
  const problems = h("div", { role: "alert", id: "form-problems" });
  const conflict = h("section.conflict", { hidden: true, "aria-labelledby": "conflict-h", id: "conflict" });
  const save = h("button.primary", { type: "submit" }, editing ? "保存修改" : "建档");
  const form = h("form.person-form", { novalidate: true },
    problems,
    h("fieldset.form-section", h("legend", "基本信息"),
      checkboxes("categories", "人员类别", vocab.categories, open),
      h("div.grid", field("村", villageSelect), field("网格", gridSelect),
        COMMON.map((spec) => field(spec[1], control(spec, text(getPath(base, spec[0])), schoolList), { hint: spec[4] })))),
    section("健康与收入", HEALTH, base, schoolList),
    h("fieldset.form-section", h("legend", "救助"), checkboxes("assistance", "已享受的救助", vocab.assistanceKinds, base.assistance || [])),
    childSection, guardianSection, womanSection, elderSection,
    section("外出亲属一（父母、配偶或子女）", migrant(0), base, schoolList),
    section("外出亲属二", migrant(1), base, schoolList),
    section("包保与备注", OTHER, base, schoolList),
    h("div.actions.sticky", save, h("a.button", { href: editing ? `#/persons/${id}` : "#/persons" }, "取消")));

  function toggleSections() {
    const checked = [...form.querySelectorAll("input[name=categories]:checked")].map((c) => c.value);
    const child = checked.some((c) => CHILD.includes(c));
    childSection.hidden = !child;
    guardianSection.hidden = !child;
    womanSection.hidden = !checked.includes("left_behind_woman");
    elderSection.hidden = !checked.includes("left_behind_elder");
  }
  form.addEventListener("change", (event) => {
    if (event.target.name === "categories") toggleSections();
  });
  toggleSections();

  function showErrors(error) {
    const rest = showFieldErrors(form, error.fields, vocab.message);
    const fixed = rest.map((line) => {
      const [path] = line.split(":");
      return LABELS[path] ? line.replace(path, LABELS[path]) : line;
    });
    mount(problems, h("p.banner.bad", `请改正标出的内容${fixed.length ? "：" + fixed.join("；") : "。"}`));
  }

  async function send(file) {
    save.disabled = true;
    problems.replaceChildren();
    try {
      if (editing) {
        const response = await api("PUT", `/v1/persons/${id}`, { body: file, ifMatch: etag });
        etag = (response.headers.get("etag") || etag).replaceAll('"', "");
        toast("已保存");
        app.go(`#/persons/${id}`);
      } else {
        const response = await api("POST", "/v1/persons", { body: { ...file, id: createId } });
        toast("已建档");
        app.go(`#/persons/${response.data.id.toLowerCase()}`);
      }
    } catch (error) {
      if (error.status === 422 || error.status === 400) showErrors(error);
      else if (error.status === 412) await showConflict(file);
      else if (error.status === 409) mount(problems, h("p.banner.bad", `保存失败：${error.message}`));
      else mount(problems, h("p.banner.bad", error.transient ? `暂时无法保存（${error.message}），你填写的内容仍在，请稍后再试。` : `保存失败：${error.message}`));
    } finally {
      save.disabled = false;
    }
  }

  /** Someone saved first: show what they changed; the form keeps everything typed. */
  async function showConflict(mine) {
    const response = await api("GET", `/v1/persons/${id}`);
    const latest = response.data.file;
    const latestVersion = response.data.version;
    const latestEtag = (response.headers.get("etag") || String(latestVersion)).replaceAll('"', "");
    const was = flatten(base);
    const theirs = flatten(latest);
    const my = flatten(mine);
    const theirChanges = Object.keys(theirs).filter((k) => theirs[k] !== was[k]);
    const myChanges = Object.keys(my).filter((k) => my[k] !== was[k]);
    const shown = [...new Set([...theirChanges, ...myChanges])];
    const label = (k, v) => (k === "villageId" || k === "gridId" ? (v ? "（单位）" : "") : v);
    mount(conflict,
      h("h2", { id: "conflict-h" }, "有人在你编辑期间修改了此档案"),
      h("p", `你打开档案后，其他人保存了新版本（第 ${latestVersion} 版）。你填写的内容都还在表单中，没有丢失。下面是双方改动的字段：`),
      h("div.table-wrap", h("table.diff", h("caption.sr-only", "改动对比"),
        h("thead", h("tr", ["字段", "你打开时", "对方改为", "你的填写"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", shown.map((k) => h("tr", { className: theirChanges.includes(k) && myChanges.includes(k) && theirs[k] !== my[k] ? "clash" : "" },
          h("th", { scope: "row" }, LABELS[k] || k), h("td", label(k, was[k]) || "—"),
          h("td", theirChanges.includes(k) ? label(k, theirs[k]) || "（清空）" : h("span.muted", "未改")),
          h("td", myChanges.includes(k) ? label(k, my[k]) || "（清空）" : h("span.muted", "未改"))))))),
      h("p.small.muted", "标红的行双方都改了且不同。"),
      h("div.row",
        h("button.primary", { type: "button", id: "conflict-keep-mine", onclick: () => {
          // Their version, with the fields I changed set to my values: what the form holds now,
          // corrections made while reading the comparison included.
          const merged = clone(latest);
          const mineFile = fromForm(form, base);
          const mineNow = flatten(mineFile);
          for (const k of Object.keys(mineNow).filter((key) => mineNow[key] !== was[key])) {
            if (k === "categories") merged.categories = mineFile.categories;
            else if (k === "assistance") merged.assistance = mineFile.assistance;
            else setPath(merged, k, getPath(mineFile, k) ?? null);
          }
          base = latest;
          etag = latestEtag;
          conflict.hidden = true;
          send(merged);
        } }, "在最新版本上保存我的修改"),
        h("button", { type: "button", onclick: () => app.render() }, "放弃我的修改，载入最新版本")));
    conflict.hidden = false;
    conflict.scrollIntoView({ block: "start" });
    conflict.querySelector("h2").setAttribute("tabindex", "-1");
    conflict.querySelector("h2").focus();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(fromForm(form, base));
  });

  const group = open.some((c) => CHILD.includes(c)) ? "儿童" : open.includes("left_behind_elder") ? "老人" : open.includes("left_behind_woman") ? "妇女" : "";
  mount(app.view,
    h("h1", editing ? `编辑档案：${base.name}` : `新建${group}档案`),
    editing ? null : h("nav.row.no-print", { "aria-label": "选择人员类别" }, h("a.button", { href: "#/new?group=child" }, "儿童"), h("a.button", { href: "#/new?group=woman" }, "妇女"), h("a.button", { href: "#/new?group=elder" }, "老人")),
    conflict, form);
}
