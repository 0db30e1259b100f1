// 帮扶救助 reports: the indicators of a unit and the units below it, and the month's payment book
// (the server's CSV shown as a printable table, with the CSV itself to download).
import { h, mount, field, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { downloadLink } from "../../shared/download.js";
import * as R from "./relief-common.js";

export async function indicatorsTab({ app, params, unitId, unitPicker: picker }) {
  const on = params.get("on") || "";
  const day = h("input", { type: "date", name: "on", id: "relief-on", value: on || R.todayChina() });
  day.addEventListener("change", () => app.go(`#/relief${query({ tab: "indicators", unitId, on: day.value })}`));
  const [data, types] = await Promise.all([get(`/v1/relief/indicators${query({ unitId, on })}`),
    get(`/v1/relief/case-types${query({ unitId })}`).then((r) => Object.fromEntries(r.items.map((t) => [t.key, t.name])), () => ({}))]);
  const t = data.total;
  const share = (f) => (f.shareDecidedWithinDeadline === null || f.shareDecidedWithinDeadline === undefined ? "—" : `${(f.shareDecidedWithinDeadline * 100).toFixed(1)}%`);
  const cards = [
    ["在办案件", t.open], ["超过审批时限", t.overdue], ["本年已决定", t.decidedThisYear], ["按时决定率", share(t)],
    ["决定用时中位数", t.medianDaysToDecision == null ? "—" : `${t.medianDaysToDecision} 天`],
    ["本月批准金额", R.yuan(t.grantedThisMonthFen)], ["本月发放金额", R.yuan(t.paidThisMonthFen)], ["本年发放金额", R.yuan(t.paidThisYearFen)],
  ];
  const rows = [...data.units, { ...t, unitName: "合计", total: true }];
  mount(app.view, h("h1", "帮扶救助"), R.tabs("indicators"),
    h("form.filters.card.no-print", { role: "search", "aria-label": "选择单位和日期" }, picker(), field("统计日期", day)),
    h("h2", `统计指标（按 ${data.on} 所在的月份和年份）`),
    h("ul.relief-figures", cards.map(([label, value]) => h("li.card", h("span.figure-label", label), h("strong.figure", String(value))))),
    h("h2", "各单位"),
    h("div.table-wrap", h("table.list.relief-indicators", h("caption.sr-only", "各单位救助指标"),
      h("thead", h("tr", ["单位", "在办", "超期", "本年决定", "按时决定率", "用时中位数", "本月批准", "本年批准", "本月发放", "本年发放"].map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", rows.map((f) => h(f.total ? "tr.total" : "tr",
        h(f.total ? "th" : "td", f.total ? { scope: "row" } : {}, f.unitName || "（本级）"), h("td", f.open), h("td", f.overdue ? h("span.badge.bad", f.overdue) : "0"),
        h("td", f.decidedThisYear), h("td", share(f)), h("td", f.medianDaysToDecision == null ? "—" : `${f.medianDaysToDecision} 天`),
        h("td", R.yuan(f.grantedThisMonthFen)), h("td", R.yuan(f.grantedThisYearFen)), h("td", R.yuan(f.paidThisMonthFen)), h("td", R.yuan(f.paidThisYearFen))))))),
    openByStage(t, types));
}

/** Open cases as a table of case types by stage. */
function openByStage(t, types) {
  if (!t.openByStageAndType.length) return null;
  const keys = [...new Set(t.openByStageAndType.map((r) => r.typeKey))];
  const count = (key, state) => t.openByStageAndType.filter((r) => r.typeKey === key && r.state === state).reduce((n, r) => n + r.count, 0);
  return [h("h2", "在办案件（按类型和阶段）"), h("div.table-wrap", h("table.list", h("caption.sr-only", "在办案件按类型和阶段"),
    h("thead", h("tr", h("th", { scope: "col" }, "救助类型"), R.openStates.map((s) => h("th", { scope: "col" }, R.states[s])))),
    h("tbody", keys.map((key) => h("tr", h("th", { scope: "row" }, types[key] || key), R.openStates.map((s) => h("td", count(key, s) || "—")))))))];
}

/** Rows of a CSV text (quotes and doubled quotes, a leading BOM). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  const src = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') cell += '"', i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(cell), rows.push(row), (row = []), (cell = "");
    } else cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

export async function paymentsTab({ app, params, unitId, scope, unitPicker: picker }) {
  const month = /^\d{4}-\d{2}$/.test(params.get("month") || "") ? params.get("month") : R.todayChina().slice(0, 7);
  const monthControl = h("input", { type: "month", name: "month", id: "relief-month", value: month });
  monthControl.addEventListener("change", () => monthControl.value && app.go(`#/relief${query({ tab: "payments", unitId, month: monthControl.value })}`));
  const path = `/v1/relief/payments.csv${query({ unitId, month })}`;
  const text = (await api("GET", path, { headers: { accept: "text/csv" } })).data;
  const [header, ...rows] = parseCsv(String(text));
  const unitName = (scope.find((u) => u.id === unitId) || {}).name || "";
  const [year, number] = month.split("-");
  const payments = rows.filter((r) => r[2]);
  const print = h("button.primary", { type: "button", id: "print-book" }, "打印台账");
  print.addEventListener("click", () => window.print());
  // Fetched through the API client: a refusal is said in Chinese, never saved as the CSV.
  const download = downloadLink(h("a.button", { href: path, download: `${unitName}救助发放台账-${month}.csv`, id: "download-book" }, "下载 CSV"),
    { onDone: () => toast("已下载（下载已记入审计日志）") });
  mount(app.view, h("h1", "帮扶救助"), R.tabs("payments"),
    h("form.filters.card.no-print", { role: "search", "aria-label": "选择单位和月份" }, picker(), field("月份", monthControl),
      h("div.field.buttons", print, download)),
    h("section.payment-book", { "aria-labelledby": "book-h" },
      h("h2", { id: "book-h" }, `${unitName} ${year} 年 ${Number(number)} 月救助金发放台账`),
      h("p.muted", { role: "status" }, payments.length ? `共 ${payments.length} 笔发放，按村汇总` : "本月没有发放记录。"),
      h("div.table-wrap", h("table.book", h("caption.sr-only", "救助金发放台账"),
        h("thead", h("tr", header.filter((_, i) => i !== 2).map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", rows.map((r) => {
          const kind = r[0] === "合计" ? "tr.total" : r[3] === "小计" ? "tr.subtotal" : "tr";
          return h(kind, { dataset: r[2] ? { id: r[2] } : {} }, r.filter((_, i) => i !== 2).map((cell, i) => h(i === 6 ? "td.amount" : "td", cell)));
        })))),
      h("p.print-only.signatures", "经办人：____________　　审核人：____________　　负责人：____________")));
}
