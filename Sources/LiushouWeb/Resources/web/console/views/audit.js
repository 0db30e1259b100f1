// 审计日志: records of the caller's scope with filters and keyset paging, CSV export, and the
// hash chain's verification status (GET /v1/audit/verify).
import { h, mount, field, formatTime, toast } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import { downloadLink, failureText } from "../../shared/download.js";
import * as vocab from "../../shared/vocab.js";

const toIso = (local) => (local ? new Date(local).toISOString() : "");

/** The audit log's actions in Chinese (the server's codes; a code not listed here is shown as it is). */
export const ACTIONS = {
  login: "登录", logout: "退出登录", "password.change": "修改密码", "password.reset": "重置密码",
  "two_factor.enrol_start": "开始绑定身份验证器", "two_factor.enrol": "绑定身份验证器", "two_factor.verify": "双因素验证",
  "two_factor.recovery_code": "使用恢复码", "two_factor.reset": "重置双因素认证",
  "account.create": "新建用户", "account.disable": "停用账号", "grant.add": "授予角色", "grant.revoke": "撤销授权",
  "service_account.create": "新建服务账号", "service_token.issue": "签发令牌", "service_token.revoke": "吊销令牌",
  "access.denied": "越权访问被拒绝", "identifiers.reveal": "查看完整号码", "data_key.rotate": "轮换数据密钥",
  "unit.create": "新建单位", "unit.rename": "单位改名", "unit.move": "移动单位", "unit.deactivate": "停用单位", "unit.service_area": "设置服务范围",
  "person.create": "新建档案", "person.update": "修改档案", "person.exit": "销档", "person.reactivate": "恢复在档", "person.check": "审核档案",
  "person.view": "查看档案", "person.list": "查询档案列表", "person.history": "查看档案变更记录", "person.contact_card": "查看联系卡",
  "person.export": "导出台账", "person.import": "导入台账", "person.import_check": "检查台账（不写入）",
  "household.create": "新建户", "household.move": "户调整网格", "visit_rule.set": "设置走访规则",
  "safeguarding.report": "提交强制报告", "safeguarding.read": "查看强制报告", "safeguarding.list": "查询强制报告",
  "safeguarding.acknowledge": "确认收到强制报告", "safeguarding.police": "登记报警",
  "volunteer.register": "登记志愿者", "volunteer.change": "修改志愿者", "pairing.create": "新建结对", "pairing.end": "结束结对",
  "school.enrol": "登记入学", "school.placement": "调整班级", "school.status_change": "学籍变动", "school.dropout_close": "辍学劝返结案",
  "school.counsellor_designate": "指定心理辅导老师", "school.counsellor_revoke": "撤销心理辅导老师",
  "counselling.create": "记录心理辅导", "counselling.read": "查看心理辅导记录", "health.read": "查看健康档案", "health.file_change": "修改健康档案",
  "relief.raise": "提出救助申请", "relief.read": "查看救助案件", "relief.review": "村级评议", "relief.approve": "批准救助", "relief.reject": "不予救助",
  "relief.pay": "登记发放", "relief.close": "救助结案", "relief.withdraw": "撤回救助申请", "relief.appeal": "救助申诉",
  "relief.type_add": "新增救助类型", "relief.calendar_set": "设置工作日历", "relief.payments_export": "导出发放台账",
  "legal_case.open": "受理法律援助", "legal_case.read": "查看法律援助案件", "legal_case.list": "查询法律援助案件", "legal_case.note": "添加办理记录",
  "legal_case.decide": "审查决定", "legal_case.review": "复核", "legal_case.assign": "指派", "legal_case.first_contact": "首次联系",
  "legal_case.close": "法律援助结案", "legal_matter.add": "新增援助事项", "legal_aid_settings.change": "修改法律援助设置",
  "alerts.rule": "修改提醒规则", "alerts.rule_default": "恢复默认提醒规则", "alerts.contact": "设置消息接收方式",
  "alerts.channel_add": "登记提醒渠道", "alerts.channel_remove": "删除提醒渠道", "alerts.channel_test": "测试提醒渠道", "alerts.delivery_retry": "重发提醒",
};

/** The kinds of record an audit entry names. */
export const RESOURCES = {
  account: "账号", account_contact: "消息接收方式", credential: "登录凭据", route: "接口", data_key: "数据密钥", org_unit: "单位",
  person: "人员档案", person_export: "台账导出", household: "户", visit_rule: "走访规则", safeguarding_report: "强制报告",
  volunteer: "志愿者", pairing: "结对", school_enrolment: "学籍", dropout_case: "辍学劝返", relief_case: "救助案件",
  relief_case_type: "救助类型", relief_calendar: "工作日历", legal_case: "法律援助案件", legal_matter: "援助事项",
  legal_aid_setting: "法律援助设置", alert_rule: "提醒规则", alert_channel: "提醒渠道", alert_delivery: "提醒发送",
};

/** A code in Chinese, with the code itself as a tooltip (for those who look for it in the CSV or the API). */
const labelled = (code, words) => (code ? h("span", { title: code }, words[code] || code) : "—");

export async function auditView({ app, params }) {
  const filters = { from: params.get("from") || "", to: params.get("to") || "", action: params.get("action") || "", accountId: params.get("accountId") || "" };
  const from = h("input", { name: "from", type: "datetime-local", value: filters.from });
  const to = h("input", { name: "to", type: "datetime-local", value: filters.to });
  const known = Object.entries(ACTIONS).sort(([, a], [, b]) => a.localeCompare(b, "zh"));
  if (filters.action && !ACTIONS[filters.action]) known.unshift([filters.action, filters.action]);
  const action = h("select", { name: "action" }, h("option", { value: "" }, "全部"),
    known.map(([code, label]) => h("option", { value: code, title: code, selected: code === filters.action ? true : null }, label)));
  const account = h("input", { name: "accountId", value: filters.accountId, autocomplete: "off" });
  const form = h("form.filters.card", { role: "search", "aria-label": "筛选审计记录" },
    field("开始时间", from), field("结束时间", to), field("操作", action), field("账号 ID", account),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), h("a.button", { href: "#/audit" }, "清除")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/audit${query({ from: from.value, to: to.value, action: action.value, accountId: account.value.trim() })}`);
  });
  const apiFilters = { from: toIso(filters.from), to: toIso(filters.to), action: filters.action, accountId: filters.accountId };
  const verify = h("section.card", { "aria-labelledby": "verify-h", id: "verify" }, h("h2", { id: "verify-h" }, "防篡改校验"), h("p.muted", "正在校验哈希链…"));
  const body = h("tbody");
  const status = h("p.muted", { role: "status" });
  const more = h("button", { type: "button", hidden: true }, "加载更多");
  mount(app.view, h("h1", "审计日志"), verify, form,
    h("div.row.no-print", downloadLink(h("a.button", { id: "audit-export", href: `/v1/audit${query({ ...apiFilters, format: "csv", limit: 1000 })}`, download: "审计日志.csv" }, "导出 CSV（前 1000 条）"),
      { onError: (error) => toast(`导出失败：${error.status === 422 ? `筛选条件有误：${failureText(error)}` : error.message}`, "bad") })),
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
        h("td", r.role ? h("span", { title: r.role }, r.role.split(",").map((x) => vocab.roles[x] || x).join("、")) : "—"),
        h("td", labelled(r.action, ACTIONS)), h("td", labelled(r.resource, RESOURCES), r.recordId ? h("div.muted.small", r.recordId) : null),
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
