// 审计日志: records of the caller's scope with filters and keyset paging, CSV export, and the
// hash chain's verification status (GET /v1/audit/verify).
import { h, mount, field, formatTime } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";

const toIso = (local) => (local ? new Date(local).toISOString() : "");

export async function auditView({ app, params }) {
  const filters = { from: params.get("from") || "", to: params.get("to") || "", action: params.get("action") || "", accountId: params.get("accountId") || "" };
  const from = h("input", { name: "from", type: "datetime-local", value: filters.from });
  const to = h("input", { name: "to", type: "datetime-local", value: filters.to });
  const action = h("input", { name: "action", value: filters.action, placeholder: "如 person.read、login", autocomplete: "off" });
  const account = h("input", { name: "accountId", value: filters.accountId, autocomplete: "off" });
  const form = h("form.filters.card", { role: "search", "aria-label": "筛选审计记录" },
    field("开始时间", from), field("结束时间", to), field("操作", action), field("账号 ID", account),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), h("a.button", { href: "#/audit" }, "清除")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/audit${query({ from: from.value, to: to.value, action: action.value.trim(), accountId: account.value.trim() })}`);
  });
  const apiFilters = { from: toIso(filters.from), to: toIso(filters.to), action: filters.action, accountId: filters.accountId };
  const verify = h("section.card", { "aria-labelledby": "verify-h", id: "verify" }, h("h2", { id: "verify-h" }, "防篡改校验"), h("p.muted", "正在校验哈希链…"));
  const body = h("tbody");
  const status = h("p.muted", { role: "status" });
  const more = h("button", { type: "button", hidden: true }, "加载更多");
  mount(app.view, h("h1", "审计日志"), verify, form,
    h("div.row.no-print", h("a.button", { href: `/v1/audit${query({ ...apiFilters, format: "csv", limit: 1000 })}`, download: "audit.csv" }, "导出 CSV（前 1000 条）")),
    h("div.table-wrap", h("table.list", h("caption.sr-only", "审计记录"),
      h("thead", h("tr", ["序号", "时间", "账号", "角色", "操作", "对象", "结果", "地址"].map((t) => h("th", { scope: "col" }, t)))), body)),
    status, more);

  get("/v1/audit/verify").then((r) => mount(verify, h("h2", { id: "verify-h" }, "防篡改校验"),
    r.intact ? h("p.banner.ok", `哈希链完整：已校验全部 ${r.rows} 条记录（${formatTime(r.checkedAt)}）。`)
      : h("p.banner.bad", { role: "alert" }, `哈希链异常：前 ${r.rows} 条完好，之后发现问题：${r.problem}`)))
    .catch((error) => mount(verify, h("h2", { id: "verify-h" }, "防篡改校验"), h("p.banner.warn", `无法校验：${error.message}`)));

  let after = null;
  let shown = 0;
  async function load() {
    try {
      const page = await get(`/v1/audit${query({ ...apiFilters, after, limit: 100 })}`);
      for (const r of page.items) body.append(h("tr",
        h("td", r.position), h("td", formatTime(r.at)),
        h("td", r.accountName || "—", r.accountId ? h("div.muted.small", h("a", { href: `#/users?id=${r.accountId}` }, "账号")) : null),
        h("td", vocab.roles[r.role] || r.role || "—"), h("td", r.action), h("td", r.resource, r.recordId ? h("div.muted.small", r.recordId) : null),
        h("td", h("span", { className: `badge ${r.result === "success" ? "ok" : "bad"}` }, vocab.auditResults[r.result] || r.result)), h("td", r.clientAddress || "—")));
      shown += page.items.length;
      after = page.nextCursor || null;
      more.hidden = !after;
      status.textContent = `已显示 ${shown} 条${after ? "，还有更多" : ""}`;
    } catch (error) {
      status.textContent = error.status === 422 ? `筛选条件有误：${error.message}` : `加载失败：${error.message}`;
    }
  }
  more.addEventListener("click", load);
  await load();
}
