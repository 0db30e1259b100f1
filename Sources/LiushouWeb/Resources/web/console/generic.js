// Renders API answers whose shape a screen does not spell out: a list of records as a table of
// their plain fields (dates in China time, codes in Chinese where known), an object as a list.
import { h, formatTime, formatDate } from "../shared/ui.js";
import * as vocab from "../shared/vocab.js";

const HEADERS = {
  at: "时间", occurredAt: "发生时间", recordedAt: "记录时间", kind: "类型", outcome: "结果", channel: "方式", needs: "需求", notes: "备注",
  status: "状态", state: "阶段", stage: "阶段", summary: "摘要", module: "模块", accountName: "操作人", recorderName: "记录人",
  description: "说明", nextDueAt: "下次应访", lastCheckAt: "上次走访", overdue: "是否逾期", cadenceHours: "周期（小时）", checkKinds: "走访方式",
  startedOn: "开始", endedOn: "结束", type: "类型", volunteerName: "志愿者", caseType: "类别", amountFen: "金额（分）", openedAt: "立案时间",
  matter: "事项", eligible: "符合条件", schoolName: "学校", grade: "年级", className: "班级", enrolledOn: "入学日期", counsellorName: "心理老师",
  sessions: "次数", lastSessionOn: "最近一次", checkedOn: "检查日期", bloodPressure: "血压", conditions: "慢性病", allergies: "过敏",
  name: "姓名", relationship: "关系", phone: "电话", workProvince: "务工省份", workCity: "务工城市", employer: "工作单位",
  ruleKey: "规则", reason: "原因", createdAt: "创建时间", updatedAt: "更新时间", role: "角色", count: "数量",
};
const CODES = { ...vocab.outcomes, ...vocab.checkKinds, ...vocab.channels, ...vocab.needs, ...vocab.schoolStages, ...vocab.personStatuses, ...vocab.roles };

export function cell(key, value) {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "是" : "否";
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? JSON.stringify(v) : CODES[v] || v)).join("、");
  if (typeof value === "object") return Object.entries(value).map(([k, v]) => `${HEADERS[k] || k}: ${cell(k, v)}`).join("；");
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatTime(value);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value + "T12:00:00+08:00");
  return CODES[value] || String(value);
}

const hidden = (key) => key === "id" || key === "version" || key.endsWith("Id") || key === "etag";

export function recordsTable(items, caption, columns = null) {
  if (!items || !items.length) return h("p.muted", "暂无记录");
  const keys = columns || [...new Set(items.flatMap((i) => Object.keys(i)))].filter((k) => !hidden(k)).slice(0, 9);
  return h("div.table-wrap", h("table", h("caption.sr-only", caption),
    h("thead", h("tr", keys.map((k) => h("th", { scope: "col" }, HEADERS[k] || k)))),
    h("tbody", items.map((i) => h("tr", keys.map((k) => h("td", cell(k, i[k]))))))));
}

export function objectList(object) {
  const entries = Object.entries(object || {}).filter(([k, v]) => !hidden(k) && !(Array.isArray(v) && v.length && typeof v[0] === "object"));
  if (!entries.length) return h("p.muted", "暂无记录");
  return h("dl.pairs", entries.map(([k, v]) => [h("dt", HEADERS[k] || k), h("dd", cell(k, v))]));
}

/** Renders whatever came back: {items:[…]} as a table, an object as pairs plus its lists as tables. */
export function anything(data, caption) {
  if (!data) return h("p.muted", "暂无记录");
  if (Array.isArray(data)) return recordsTable(data, caption);
  if (Array.isArray(data.items)) return recordsTable(data.items, caption);
  const lists = Object.entries(data).filter(([, v]) => Array.isArray(v) && v.length && typeof v[0] === "object");
  return h("div", objectList(data), lists.map(([k, v]) => h("section", h("h3", HEADERS[k] || k), recordsTable(v, `${caption}：${HEADERS[k] || k}`))));
}
