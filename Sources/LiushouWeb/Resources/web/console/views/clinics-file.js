// 健康档案: a person's health as the server shows it to the caller (summary; the clinical details
// for staff of a clinic serving the person's village), the standing file (chronic conditions,
// allergies) kept with If-Match; and 体检覆盖率 per unit.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { checkupKinds, day, loadError, measurements, percent, personFinder, unitText } from "./clinics-common.js";

const lines = (text) => text.split("\n").map((l) => l.trim()).filter(Boolean);

function fileMessage(message) {
  return message.replace(/^at most 30 entries of 1 to 100 characters each$/, "最多 30 项，每项 1 至 100 个字").replace(/^must have at most (\d+) characters$/, "最多 $1 个字");
}

function finderForm(app) {
  const finder = personFinder({ name: "personId", label: "人员", id: "file-person" });
  const form = h("form.card.no-print", { novalidate: true, role: "search", "aria-label": "查找人员的健康档案" },
    finder.element, h("button.primary", { type: "submit" }, "打开健康档案"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!finder.select.value) showFieldErrors(form, { personId: "请先按姓名查找并选择人员" });
    else app.go(`#/clinics/file/${finder.select.value}`);
  });
  return form;
}

function summaryTable(summary) {
  if (!summary.length) return h("p", "没有体检记录，也没有适用的体检规则。");
  return h("div.table-wrap", h("table", h("caption", "体检摘要"),
    h("thead", h("tr", ["检查类型", "上次检查", "需要随访", "下次应检", "状态"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", summary.map((l) => h("tr",
      h("td", checkupKinds[l.kind] || l.kind), h("td", day(l.lastCheckedOn)),
      h("td", l.followUpNeeded === true ? "是" : l.followUpNeeded === false ? "否" : "—"), h("td", day(l.nextDueOn)),
      h("td", l.overdue ? h("span.badge.bad", "已逾期") : l.nextDueOn ? h("span.badge.ok", "未到期") : "—"))))));
}

function checkupsTable(checkups) {
  if (!checkups.length) return h("p", "暂无体检记录。");
  const measured = (c) => c.measurements.map((m) => `${measurements[m.name]?.[0] || m.name} ${m.value} ${unitText(m.unit)}`).join("，") || "—";
  return h("div.table-wrap", h("table.checkups", h("caption", "体检记录（最近 100 条）"),
    h("thead", h("tr", ["检查日期", "类型", "测量值", "诊断", "检查所见", "随访", "医生", "记录号"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", checkups.map((c) => h("tr",
      h("td", c.checkedOn), h("td", checkupKinds[c.kind] || c.kind), h("td", measured(c)), h("td", c.diagnoses.join("；") || "—"),
      h("td", c.findings || "—"), h("td", c.followUpNeeded ? h("span.badge.warn", "需要") : "否"), h("td", c.clinician), h("td.small", c.recordId))))));
}

function standingFile(details) {
  return h("dl.pairs",
    h("dt", "慢性病"), h("dd", details.chronicConditions.join("、") || "无记录"),
    h("dt", "过敏"), h("dd", details.allergies.join("、") || "无记录"),
    h("dt", "备注"), h("dd", details.notes || "—"),
    h("dt", "残疾（人员档案）"), h("dd", details.disabilityType ? `${details.disabilityType}${details.disabilityGrade ? ` ${details.disabilityGrade} 级` : ""}` : "无"));
}

/** The edit form; a 412 keeps what was typed and shows the newer version beside it. */
function fileForm(personId, details, version, onSaved) {
  let current = version;
  const chronic = h("textarea", { name: "chronicConditions", rows: 3 }, details.chronicConditions.join("\n"));
  const allergies = h("textarea", { name: "allergies", rows: 3 }, details.allergies.join("\n"));
  const notes = h("textarea", { name: "notes", rows: 2, maxlength: 2000 }, details.notes || "");
  const save = h("button.primary", { type: "submit", id: "health-file-save" }, "保存健康档案");
  const conflict = h("div.conflict", { hidden: true, role: "alert", id: "health-file-conflict" });
  const form = h("form.card.no-print", { novalidate: true, "aria-labelledby": "health-edit-h" },
    h("h3", { id: "health-edit-h" }, "修改慢性病与过敏"), conflict,
    h("div.grid", field("慢性病（每行一项）", chronic), field("过敏（每行一项）", allergies)),
    field("备注", notes), h("div.row", save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await api("PUT", `/v1/persons/${personId}/health-file`, {
        body: { chronicConditions: lines(chronic.value), allergies: lines(allergies.value), notes: notes.value.trim() || null }, ifMatch: current,
      });
      toast("健康档案已保存");
      onSaved();
    } catch (error) {
      if (error.status === 422) showFieldErrors(form, error.fields, fileMessage);
      else if (error.status === 412) await showConflict(error).catch(() => toast("他人刚修改了此健康档案；暂时无法取得最新版本，你填写的内容仍在，请稍后再试", "bad"));
      else toast(error.status === 403 ? "只有服务此人所在村的医疗机构人员能修改健康档案。" : `保存失败：${error.message}`, "bad");
    } finally {
      save.disabled = false;
    }
  });
  async function showConflict() {
    const fresh = await api("GET", `/v1/persons/${personId}/health`);
    current = Number((fresh.headers.get("etag") || "0").replaceAll('"', ""));
    mount(conflict, h("h4", "他人刚修改了此健康档案"),
      h("p", "你填写的内容仍在下方。下面是最新保存的版本；核对后再次点击“保存健康档案”，将以你填写的内容为准。"),
      fresh.data.details ? standingFile(fresh.data.details) : null);
    conflict.hidden = false;
  }
  return form;
}

export async function healthFile({ app, personId }) {
  const out = [h("section", { "aria-labelledby": "file-h" }, h("h2", { id: "file-h" }, "查找人员"), finderForm(app))];
  if (!personId) return out;
  let response;
  let person;
  try {
    [response, person] = await Promise.all([api("GET", `/v1/persons/${personId}/health`), get(`/v1/persons/${personId}`)]);
  } catch (error) {
    return [...out, h("p.banner.bad", { role: "alert" }, loadError(error))];
  }
  const view = response.data;
  const file = person.file || person;
  const details = view.details;
  const version = Number((response.headers.get("etag") || "0").replaceAll('"', ""));
  out.push(h("section.health-file", { "aria-labelledby": "person-h" },
    h("h2", { id: "person-h" }, `${file.name || "人员"} 的健康档案`),
    h("p.muted", [vocab.sex[file.sex], person.birthYear ? `${person.birthYear} 年生` : null,
      (file.categories || []).map((c) => vocab.categories[c.category || c] || c.category).join("、")].filter(Boolean).join(" · "),
      " · ", h("a", { href: `#/persons/${personId}` }, "查看人员档案")),
    view.limited ? h("p.banner.warn", "按你的权限只显示年度体检是否到期。") : null,
    h("h3", "体检摘要"), summaryTable(view.summary),
    details ? [
      h("h3", "慢性病、过敏与残疾"), standingFile(details),
      can("health.record") ? fileForm(personId, details, version, () => app.render()) : null,
      h("h3", "体检记录"), checkupsTable(details.checkups),
      h("p.muted.small", "每次查看诊疗详情都记入审计日志。"),
    ] : h("p.banner.warn", "诊疗详情只对服务此人所在村的医疗机构人员显示；此处只显示摘要。")));
  return out;
}

export async function coverage({ app, params }) {
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || (scope[0] || {}).id;
  const picker = units.unitSelect(scope, { name: "unitId", value: unitId });
  picker.id = "coverage-unit";
  picker.addEventListener("change", () => app.go(`#/clinics/coverage${query({ unitId: picker.value })}`));
  const head = [h("h2", { id: "coverage-h" }, "体检覆盖率（近 12 个月）"),
    h("form.filters.card.no-print", { role: "search", "aria-label": "选择单位" }, field("单位", picker))];
  if (!unitId) return h("section", { "aria-labelledby": "coverage-h" }, head, h("p", "你的范围内没有单位。"));
  let data;
  try {
    data = await get(`/v1/health-coverage${query({ unitId })}`);
  } catch (error) {
    return h("section", { "aria-labelledby": "coverage-h" }, head, h("p.banner.bad", { role: "alert" }, loadError(error)));
  }
  const rate = (r) => `${r.numerator} / ${r.denominator}（${percent(r.rate)}）`;
  return h("section", { "aria-labelledby": "coverage-h" }, head,
    h("div.table-wrap", h("table.coverage", h("caption", "留守老人体检、留守妇女“两癌”筛查"),
      h("thead", h("tr", ["单位", "留守老人已体检", "留守妇女已筛查"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((l, i) => h("tr", { className: i === 0 ? "total" : null },
        h("th", { scope: "row" }, l.unitName), h("td", rate(l.eldersChecked)), h("td", rate(l.womenScreened))))))));
}
