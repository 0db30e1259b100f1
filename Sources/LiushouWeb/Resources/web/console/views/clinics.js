// 健康体检: a clinic uploads a checkup batch (CSV as its bytes, UTF-8 or GBK — the server detects
// the encoding) and sees every row's outcome; records one checkup; keeps a person's health file;
// the coverage of checkups and screenings for those who read indicators.
import { h, mount, toast } from "../../shared/ui.js";
import { api } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import { CHINESE, measurements, sectionNav, unitText } from "./clinics-common.js";
import { checkupEntry } from "./clinics-entry.js";
import { healthFile, coverage } from "./clinics-file.js";

const OUTCOMES = { created: ["新建", "ok"], duplicate: ["重复（已上传过，未重复记录）", "warn"], conflict: ["冲突（记录号已用于不同内容）", "bad"], rejected: ["拒绝", "bad"] };
const COLUMNS = {
  recordId: "记录号", idNumber: "公民身份号码", personId: "人员编号", clinicId: "医疗机构", checkedOn: "检查日期", kind: "检查类型",
  clinician: "医生", followUpNeeded: "需要随访", diagnoses: "诊断", findings: "检查所见", items: "文件", file: "文件",
  ...Object.fromEntries(Object.entries(measurements).map(([code, [label]]) => [code, label])),
};

function sections(current) {
  return [
    can("health.record") ? { key: "upload", href: "#/clinics", label: "批量上传" } : null,
    can("health.record") ? { key: "entry", href: "#/clinics/entry", label: "单条录入" } : null,
    can("persons.read") ? { key: "file", href: "#/clinics/file", label: "健康档案" } : null,
    can("indicators.read") ? { key: "coverage", href: "#/clinics/coverage", label: "体检覆盖率" } : null,
  ].filter(Boolean).map((s) => ({ ...s, current: s.key === current }));
}

export async function clinicsView({ app, id, sub, params }) {
  const links = sections(id || (can("health.record") ? "upload" : can("persons.read") ? "file" : "coverage"));
  const current = links.find((l) => l.current) || links[0];
  const body = h("div.care-body");
  mount(app.view, h("h1", "健康体检"), sectionNav("健康体检分区", links), body);
  if (current.key === "upload") mount(body, uploadSection());
  else if (current.key === "entry") mount(body, await checkupEntry());
  else if (current.key === "file") mount(body, await healthFile({ app, personId: sub, params }));
  else if (current.key === "coverage") mount(body, await coverage({ app, params }));
}

/** "line 4: followUpNeeded" → { line: 4, column: "需要随访" }; "measurements[1].value" → 测量值. */
function describeField(field) {
  const m = field.match(/^line (\d+): (.*)$/);
  const name = m ? m[2] : field;
  const measured = name.match(/^measurements\[(\d+)\]/);
  return { line: m ? Number(m[1]) : null, column: measured ? "测量值" : COLUMNS[name] || name };
}

function resultRows(report) {
  return report.results.map((r) => {
    const errors = (r.errors || []).map((e) => ({ ...describeField(e.field), message: e.message }));
    const line = errors.find((e) => e.line)?.line || r.index + 2; // header on line 1
    const [label, badge] = OUTCOMES[r.status] || [r.status, ""];
    return h("tr", { dataset: { status: r.status } },
      h("td", line), h("td", r.recordId || "—"), h("td", h("span", { className: `badge ${badge}` }, label)),
      h("td", errors.length ? h("ul.reasons", errors.map((e) => h("li", `${e.column}：${e.message}`))) : r.status === "duplicate" ? "与已上传的记录相同" : "—"));
  });
}

function showReport(result, report) {
  const table = h("table.checkup-results", h("caption", "逐行结果"),
    h("thead", h("tr", ["行号", "记录号", "结果", "原因"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", resultRows(report)));
  const bad = report.rejected + report.conflict;
  mount(result, h("h2", "上传结果"),
    h("p", { className: `banner ${bad ? "warn" : "ok"}`, role: "status", id: "upload-summary" },
      `共 ${report.results.length} 行：新建 ${report.created}，重复 ${report.duplicate}，冲突 ${report.conflict}，拒绝 ${report.rejected}。`,
      bad ? "被拒绝和冲突的行没有写入，请在原系统中改正后重新导出上传；其他行已处理，重新上传不会重复记录。" : ""),
    h("div.table-wrap", table));
}

function showProblem(result, error) {
  const reasons = (error.problem.errors || []).map((e) => `${describeField(e.field).column}：${e.message}`);
  const text = error.status === 413 ? "文件太大（上限 16 MB），请分成几个文件上传。"
    : error.status === 400 ? "文件无法读取，未处理任何行。" : error.status === 422 ? "文件被拒绝，未处理任何行。" : `上传失败：${error.message}`;
  mount(result, h("h2", "上传结果"), h("div.banner.bad", { role: "alert", id: "upload-summary" }, h("p", text), reasons.length ? h("ul", reasons.map((r) => h("li", r))) : null));
}

function uploadSection() {
  const file = h("input", { type: "file", name: "file", id: "checkup-file", accept: ".csv,text/csv" });
  const send = h("button.primary", { type: "submit", id: "checkup-upload" }, "上传");
  const result = h("div", { id: "checkup-result", "aria-live": "polite" });
  const form = h("form.card", { novalidate: true, "aria-labelledby": "upload-h" },
    h("div.field", h("label", { for: file.id }, "体检记录文件（CSV）"), file,
      h("p.hint", "从院内系统导出 CSV：UTF-8 或 GBK 编码都能识别。每行一条体检记录，每行单独处理；院内记录号相同、内容相同的行再次上传时显示为“重复”，不会重复记录。")),
    h("div.row", send), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      toast("请先选择文件", "bad");
      file.focus();
      return;
    }
    send.disabled = true;
    mount(result, h("p.muted", { role: "status" }, "正在上传…"));
    try {
      // The file's bytes as they are: the server reads UTF-8 or GBK itself.
      const bytes = await chosen.arrayBuffer();
      const report = (await api("POST", "/v1/checkups/batch", { text: bytes, contentType: "text/csv", headers: CHINESE, timeout: 300000 })).data;
      showReport(result, report);
    } catch (error) {
      showProblem(result, error);
    } finally {
      send.disabled = false;
    }
  });
  return [h("section", { "aria-labelledby": "upload-h" }, h("h2", { id: "upload-h" }, "批量上传体检记录"), form), formatHelp()];
}

function formatHelp() {
  return h("details.card.format-help",
    h("summary", "文件格式说明"),
    h("p", "第一行是列名（顺序不限）。必填列：recordId（院内记录号）、checkedOn（检查日期，如 2026-03-01）、kind（检查类型）、clinician（医生）、followUpNeeded（需要随访：是/否）。"),
    h("p", "人员用 idNumber（公民身份号码）或 personId 指明；可选 diagnoses（多个诊断用；分隔）、findings（检查所见）、clinicId（在多家机构工作时必填）。"),
    h("p", "kind：elder_annual 老年人健康体检，child_health 儿童健康检查，women_screening 妇女两癌筛查，free_clinic 义诊，follow_up 随访。"),
    h("p", `测量值每项一列，单位固定：${Object.entries(measurements).map(([code, [label, unit]]) => `${code}（${label}，${unitText(unit)}）`).join("、")}。`));
}
