// Pieces the health (健康体检) and volunteer (志愿结对) screens share: section tabs, a person
// finder that fills a <select>, Chinese codes of the two modules, and the Chinese request header
// that makes the server answer its field messages in Chinese.
import { h, field, localInputValue } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";

/** Field messages of batch uploads and checkups come back in Chinese with this header. */
export const CHINESE = { "accept-language": "zh-CN" };

export const checkupKinds = {
  elder_annual: "老年人健康体检", child_health: "儿童健康检查", women_screening: "妇女“两癌”筛查", free_clinic: "义诊", follow_up: "随访",
};
export const measurements = {
  height_cm: ["身高", "cm"], weight_kg: ["体重", "kg"], waist_cm: ["腰围", "cm"], systolic: ["收缩压", "mmHg"], diastolic: ["舒张压", "mmHg"],
  heart_rate: ["心率", "/min"], temperature: ["体温", "°C"], glucose: ["血糖", "mmol/L"], hemoglobin: ["血红蛋白", "g/L"],
  vision_left: ["左眼视力", "decimal"], vision_right: ["右眼视力", "decimal"],
};
/** A measurement's unit as people read it. */
export function unitText(unit) {
  return { decimal: "小数", "/min": "次/分" }[unit] || unit;
}

export const organisations = {
  party_member: "党员", five_elders: "五老", teacher: "教师", student: "学生", womens_federation: "妇联", company: "企业", other: "其他",
};
export const skills = { tutoring: "辅导功课", counselling: "心理疏导", medical: "医疗", legal: "法律", daily_care: "生活照料" };
export const screening = { pending: "待审查", passed: "已通过", failed: "未通过" };
export const screeningBadge = { pending: "warn", passed: "ok", failed: "bad" };
export const pairingKinds = {
  proxy_parent: "代理家长", caring_mother: "爱心妈妈", temporary_father: "临时爸爸", learning_buddy: "学习帮手", elder_companion: "留守老人陪伴", other: "其他结对帮扶",
};
export const trends = { improved: "进步", steady: "保持", declined: "退步" };

/** Today's date (YYYY-MM-DD) on this device. */
export function today() {
  return localInputValue().slice(0, 10);
}

/** Section links of a page: [{ href, label, current }]. */
export function sectionNav(label, links) {
  return h("nav.row.no-print.care-tabs", { "aria-label": label },
    links.map((l) => h("a.button", { href: l.href, "aria-current": l.current ? "page" : null }, l.label)));
}

/** Builds a <select> from a code → label map. */
export function codeSelect(name, options, value = "", empty = null) {
  return h("select", { name },
    empty === null ? null : h("option", { value: "" }, empty),
    Object.entries(options).map(([code, text]) => h("option", { value: code, selected: code === value ? true : null }, text)));
}

/** "2026-11-20" from a LocalDate, "—" when absent. */
export function day(value) {
  return value || "—";
}

/** A percentage from a 0–1 rate (null: no denominator). */
export function percent(rate) {
  return rate === null || rate === undefined ? "—" : `${(rate * 100).toFixed(1)}%`;
}

/**
 * A person finder: a name search that fills a <select name={name}> with the people found (the
 * server's list, so only people the caller may see). Returns { element, select }.
 */
export function personFinder({ name, label = "人员", filters = {}, id }) {
  const search = h("input", { type: "search", maxlength: 50, autocomplete: "off", id: `${id}-q` });
  const select = h("select", { name, id }, h("option", { value: "" }, "（先按姓名查找）"));
  const status = h("p.hint", { role: "status" });
  const button = h("button", { type: "button" }, "查找");
  async function find() {
    const q = search.value.trim();
    if (!q) {
      status.textContent = "请输入姓名（可只输入一部分）";
      search.focus();
      return;
    }
    button.disabled = true;
    status.textContent = "正在查找…";
    try {
      const page = await get(`/v1/persons${query({ ...filters, q, limit: 20 })}`);
      const villages = await Promise.all(page.items.map((p) => units.name(p.villageId)));
      select.replaceChildren(h("option", { value: "" }, page.items.length ? "请选择" : "（没有找到）"),
        ...page.items.map((p, i) => h("option", { value: p.id },
          `${p.name}（${vocab.sex[p.sex] || ""}，${p.birthYear} 年生，${villages[i]}，${p.categories.map((c) => vocab.categories[c] || c).join("、")}）`)));
      if (page.items.length === 1) select.value = page.items[0].id;
      status.textContent = page.items.length ? `找到 ${page.items.length} 人${page.nextCursor ? "（只列出前 20 人，请输入更完整的姓名）" : ""}` : "没有找到此姓名的人员";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    } catch (error) {
      status.textContent = `查找失败：${error.message}`;
    } finally {
      button.disabled = false;
    }
  }
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      find();
    }
  });
  button.addEventListener("click", find);
  const element = h("div.person-finder",
    h("div.finder-row", h("div.field.grow", h("label", { for: search.id }, `查找${label}（姓名）`), search), button),
    status, field(label, select));
  return { element, select };
}

/** The message for a failed load: 403/404 in plain Chinese. */
export function loadError(error) {
  if (error.status === 403) return "你的角色无权查看此内容。";
  if (error.status === 404) return "没有找到，或不在你的工作范围内。";
  return `加载失败：${error.message}`;
}
