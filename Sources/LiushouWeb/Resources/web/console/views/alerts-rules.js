// 提醒规则 (alerts.manage): for each event of one county, whether it alerts, whom, how urgently,
// through which channels and with which words. County administrators change them; town
// administrators see them read-only.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { profile } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { chips, chosen, failure, showRefusal } from "./alerts-common.js";

const MANAGERS = ["county_admin", "town_admin"];

/** The counties of the caller's alert grants: { id, name, editable } (editable: a county grant there). */
async function counties() {
  const found = new Map();
  for (const grant of (profile()?.grants || []).filter((g) => MANAGERS.includes(g.role))) {
    const unit = await units.unit(grant.unitId);
    if (!unit) continue;
    let county = null;
    if (unit.kind === "county") county = { id: unit.id, name: unit.name };
    else if (unit.kind === "town") {
      // A town administrator may not read the county unit itself: named after the town then.
      const parent = await units.unit(unit.parentId);
      county = { id: unit.parentId, name: parent ? parent.name : `${unit.name}所属县` };
    }
    if (!county) continue;
    const key = county.id.toLowerCase();
    const editable = grant.role === "county_admin" && unit.kind === "county";
    found.set(key, { ...county, editable: editable || found.get(key)?.editable || false });
  }
  return [...found.values()];
}

async function context(params) {
  const list = await counties();
  const wanted = (params.get("countyId") || "").toLowerCase();
  return { list, county: list.find((c) => c.id.toLowerCase() === wanted) || list[0] };
}

const ruleHref = (county, event) => `#/alert-rules/${encodeURIComponent(event)}${query({ countyId: county.id })}`;
const names = (codes, words) => (codes || []).map((c) => words[c] || c).join("、") || "—";

export async function alertRulesView(args) {
  const { app, params, id } = args;
  const { list, county } = await context(params);
  if (!county) {
    mount(app.view, h("h1", "提醒规则"), h("p.banner.warn", { role: "alert" }, "提醒规则按县设置，你的管理范围内没有县或乡镇。"));
    return;
  }
  const data = await get(`/v1/alert-rules${query({ countyId: county.id })}`);
  if (id) return ruleView(args, county, data, decodeURIComponent(id));
  const picker = h("select", { name: "countyId", id: "rules-county" },
    list.map((c) => h("option", { value: c.id, selected: c.id === county.id ? true : null }, c.name)));
  picker.addEventListener("change", () => app.go(`#/alert-rules${query({ countyId: picker.value })}`));
  mount(app.view, h("h1", "提醒规则"),
    list.length > 1 ? h("form.filters.card", { role: "search", "aria-label": "选择县" }, field("县", picker)) : h("p", county.name),
    county.editable ? h("p", "每类事件在本县提醒哪些角色、多紧急、通过哪些渠道、用什么文字。未修改的沿用平台默认。点事件名称修改。")
      : h("p.banner.warn", { role: "status" }, "只有县级管理员可以修改本县的提醒规则；你可以查看。"),
    h("div.table-wrap", h("table.list.alert-rules", h("caption.sr-only", "提醒规则"),
      h("thead", h("tr", ["事件", "状态", "紧急程度", "渠道", "接收角色", "来源"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", data.items.map((r) => h("tr", { dataset: { event: r.event } },
        h("td", h("a", { href: ruleHref(county, r.event), title: county.editable ? "修改此规则" : "查看此规则" }, r.eventName || vocab.alertEvents[r.event] || r.event)),
        h("td", r.enabled ? h("span.badge.ok", "启用") : h("span.badge", "停用")),
        h("td", vocab.alertUrgencies[r.urgency] || r.urgency),
        h("td", names(r.channels, vocab.alertChannels)),
        h("td.wrap", names(r.recipientRoles, vocab.alertRecipients)),
        h("td", r.source === "county" ? "本县设定" : "平台默认")))))),
    placeholderList(data.placeholders));
}

function placeholderList(placeholders) {
  return h("section.card", { "aria-labelledby": "placeholders-h" }, h("h2", { id: "placeholders-h" }, "标题和正文中可用的占位符"),
    h("dl.pairs.placeholders", Object.entries(placeholders || {}).map(([key, label]) => [h("dt", h("code", `{${key}}`)), h("dd", label)])),
    h("p.hint", "提醒中不写身份证号、手机号或全名：对象的姓名已遮盖，详情请点链接登录后查看。"));
}

function ruleView({ app }, county, data, event) {
  const rule = data.items.find((r) => r.event === event);
  if (!rule) {
    mount(app.view, h("h1", "提醒规则"), h("p.banner.warn", { role: "alert" }, "没有这类事件。"), h("a", { href: `#/alert-rules${query({ countyId: county.id })}` }, "返回提醒规则"));
    return;
  }
  let version = rule.version;
  const form = ruleForm(rule, data.placeholders, county.editable);
  const notice = h("div", { role: "status" });
  const back = `#/alert-rules${query({ countyId: county.id })}`;
  /** The rule as saved now (its version taken for the next change), or null when it cannot be read. */
  const latest = async () => {
    const fresh = (await get(`/v1/alert-rules${query({ countyId: county.id })}`).catch(() => ({ items: [] }))).items.find((r) => r.event === rule.event);
    if (fresh) version = fresh.version;
    return fresh || null;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    showFieldErrors(form, {});
    notice.replaceChildren();
    try {
      await api("PUT", `/v1/alert-rules/${encodeURIComponent(rule.event)}${query({ countyId: county.id })}`, { body: ruleBody(form, rule), ifMatch: version });
      toast("提醒规则已保存");
      app.go(back);
    } catch (error) {
      if (error.status === 412) {
        const fresh = await latest();
        notice.replaceChildren(h("div.banner.warn", { role: "alert" },
          h("p", "这条规则刚被他人修改过。你填写的内容仍在下方；最新保存的内容如下，核对后再次保存即可覆盖。"),
          fresh ? ruleSummary(fresh) : null));
      } else showRefusal(form, notice, error);
    } finally {
      button.disabled = false;
    }
  });
  const revert = county.editable && rule.source === "county" ? h("button", { type: "button", id: "revert-rule" }, "恢复平台默认") : null;
  revert?.addEventListener("click", async () => {
    if (!confirm(`恢复“${rule.eventName}”的平台默认规则？本县的修改将被删除。`)) return;
    revert.disabled = true;
    try {
      await api("DELETE", `/v1/alert-rules/${encodeURIComponent(rule.event)}${query({ countyId: county.id })}`, { ifMatch: version });
      toast("已恢复平台默认");
      app.go(back);
    } catch (error) {
      revert.disabled = false;
      if (error.status === 412) {
        // Changed by someone else meanwhile: its latest version is taken, so restoring again applies to it.
        const fresh = await latest();
        notice.replaceChildren(h("div.banner.warn", { role: "alert" },
          h("p", fresh && fresh.source !== "county" ? "这条规则刚被他人恢复为平台默认，无需再恢复。"
            : "这条规则刚被他人修改过，最新保存的内容如下；如仍要恢复平台默认，请再点“恢复平台默认”。"),
          fresh ? ruleSummary(fresh) : null));
        if (fresh && fresh.source !== "county") revert.disabled = true;
      } else notice.replaceChildren(h("p.banner.bad", { role: "alert" }, failure(error)));
    }
  });
  mount(app.view,
    h("p.crumbs", h("a", { href: back }, "提醒规则"), ` › ${county.name}`),
    h("h1", `提醒规则：${rule.eventName || vocab.alertEvents[rule.event] || rule.event}`),
    h("p.muted", rule.source === "county" ? "本县设定" : county.editable ? "平台默认（保存后成为本县设定）" : "平台默认"),
    county.editable ? null : h("p.banner.warn", { role: "status" }, "只有县级管理员可以修改本县的提醒规则；你可以查看。"),
    notice, form, revert ? h("div.actions", revert) : null);
}

function ruleSummary(rule) {
  return h("dl.pairs",
    h("dt", "状态"), h("dd", rule.enabled ? "启用" : "停用"),
    h("dt", "紧急程度"), h("dd", vocab.alertUrgencies[rule.urgency] || rule.urgency),
    h("dt", "渠道"), h("dd", names(rule.channels, vocab.alertChannels)),
    h("dt", "接收角色"), h("dd", names(rule.recipientRoles, vocab.alertRecipients)),
    h("dt", "标题"), h("dd", rule.title), h("dt", "正文"), h("dd", rule.body));
}

function ruleForm(rule, placeholders, editable) {
  const keys = Object.entries(placeholders || {}).map(([k, label]) => `{${k}} ${label}`).join("；");
  // A mandatory report's alert stays on and immediate (the server refuses otherwise).
  const mandatory = rule.event.startsWith("safeguarding.");
  const enabled = h("input", { type: "checkbox", name: "enabled", id: "rule-enabled", checked: rule.enabled || null,
    disabled: mandatory ? true : null, "aria-describedby": "rule-enabled-error" });
  const urgency = h("select", { name: "urgency", disabled: mandatory ? true : null }, Object.entries(vocab.alertUrgencies).map(([v, label]) =>
    h("option", { value: v, selected: v === rule.urgency ? true : null }, label)));
  const body = h("textarea", { name: "body", rows: 4, maxlength: 300 });
  body.value = rule.body || "";
  const ack = rule.event === "safeguarding.unacknowledged"
    ? field("超时时限（分钟）", h("input", { name: "ackMinutes", type: "number", min: 5, max: 1440, value: rule.ackMinutes ?? "" }),
      { hint: "强制报告提交后这么久仍无人签收，即发出此提醒。" }) : null;
  const fields = h("fieldset.rule-fields", { disabled: editable ? null : true },
    h("legend.sr-only", "规则内容"),
    h("div.field.check", enabled, h("label", { for: enabled.id }, "启用此提醒"),
      h("p.field-error", { id: "rule-enabled-error", role: "alert" })),
    field("紧急程度", urgency, { hint: mandatory ? "强制报告的提醒始终启用并立即发送。"
      : "立即：随时发送；当日：工作时间内发送；每日汇总：每天早上合并为一条。" }),
    chips("channels", "发送渠道", vocab.alertChannels, rule.channels),
    chips("recipientRoles", "接收角色（事件所在单位及上级单位中担任这些角色的人）", recipientChoices(rule.event), rule.recipientRoles),
    field("标题", h("input", { name: "title", maxlength: 60, value: rule.title || "" }), { hint: `可用占位符：${keys}` }),
    field("正文", body, { hint: "同上占位符。不要写身份证号、手机号等个人信息。" }),
    field("短信模板编号（可空）", h("input", { name: "smsTemplateId", maxlength: 64, autocomplete: "off", value: rule.smsTemplateId || "" }),
      { hint: "通过短信发送时，短信服务商审核通过的模板编号。" }),
    ack);
  return h("form.rule-form.card", { novalidate: true, "aria-label": "提醒规则" }, fields,
    editable ? h("div.actions", h("button.primary", { type: "submit" }, "保存")) : null);
}

function ruleBody(form, rule) {
  const value = (name) => form.querySelector(`[name="${name}"]`)?.value.trim();
  const body = {
    enabled: form.querySelector("[name=enabled]").checked,
    urgency: value("urgency"),
    channels: chosen(form, "channels"),
    recipientRoles: chosen(form, "recipientRoles"),
    title: value("title"),
    body: value("body"),
    smsTemplateId: value("smsTemplateId") || null,
  };
  if (rule.event === "safeguarding.unacknowledged") body.ackMinutes = value("ackMinutes") ? Number(value("ackMinutes")) : null;
  return body;
}

/** The roles a rule may name: the follow-up's routed role only for follow-ups. */
function recipientChoices(event) {
  if (event === "follow_up.opened") return vocab.alertRecipients;
  const { routed, ...others } = vocab.alertRecipients;
  return others;
}
