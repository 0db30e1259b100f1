// 群机器人与短信 (alerts.manage): the WeCom and DingTalk group robots and SMS numbers of the units in
// the caller's scope — listed (targets masked by the server), added, tested and deleted.
import { h, mount, field, showFieldErrors, toast, formatTime } from "../../shared/ui.js";
import { api, get, post, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { chips, chosen, failure, showRefusal } from "./alerts-common.js";

const KINDS = { wecom: "企业微信群机器人", dingtalk: "钉钉群机器人", sms: "短信号码" };

export async function alertChannelsView({ app, params }) {
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || "";
  const data = await get(`/v1/alert-channels${query({ unitId })}`);
  const picker = units.unitSelect(scope, { name: "unitId", value: unitId, empty: "全部单位" });
  picker.id = "channels-unit";
  picker.addEventListener("change", () => app.go(`#/alert-channels${query({ unitId: picker.value })}`));
  mount(app.view, h("h1", "群机器人与短信"),
    h("p", "提醒规则选用企业微信、钉钉或短信渠道时，事件所在单位及其上级单位在此登记的群机器人和短信号码会收到提醒。"),
    h("form.filters.card", { role: "search", "aria-label": "选择单位" }, field("单位", picker)),
    h("p.muted", { role: "status" }, `${data.items.length} 个渠道`),
    data.items.length ? channelTable(app, data.items) : h("p.card", "还没有登记渠道。"),
    addForm(app, scope, unitId));
}

function channelTable(app, items) {
  return h("div.table-wrap", h("table.list.alert-channels", h("caption.sr-only", "已登记的渠道"),
    h("thead", h("tr", ["单位", "类型", "名称", "地址或号码", "加签", "事件", "登记时间", "操作"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", items.map((c) => h("tr", { dataset: { id: c.id } },
      h("td.wrap", c.unitName), h("td", KINDS[c.kind] || c.kind), h("td.wrap", c.name), h("td.wrap", h("code", c.target)),
      h("td", c.kind === "sms" ? "—" : c.signed ? "是" : "否"),
      h("td.wrap", c.events && c.events.length ? c.events.map((e) => vocab.alertEvents[e] || e).join("、") : "全部适用事件"),
      h("td", formatTime(c.createdAt)),
      h("td", h("div.row.nowrap", testButton(c), deleteButton(app, c))))))));
}

function testButton(channel) {
  const button = h("button.small", { type: "button", className: "small test-channel", "aria-label": `向“${channel.name}”发送测试消息` }, "发送测试");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post(`/v1/alert-channels/${channel.id}/test`);
      toast("测试消息已排队发送，结果见“发送记录”");
    } catch (error) {
      toast(failure(error), "bad");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function deleteButton(app, channel) {
  const button = h("button.small", { type: "button", className: "small delete-channel", "aria-label": `删除“${channel.name}”` }, "删除");
  button.addEventListener("click", async () => {
    if (!confirm(`删除渠道“${channel.name}”（${channel.unitName}）？此后不再向它发送提醒。`)) return;
    button.disabled = true;
    try {
      await api("DELETE", `/v1/alert-channels/${channel.id}`, { ifMatch: channel.version });
      toast("渠道已删除");
    } catch (error) {
      toast(error.status === 412 ? "渠道刚被他人修改过，列表已刷新，请核对后再删除" : failure(error), "bad");
    }
    app.render();
  });
  return button;
}

/** The events a channel may be limited to (a test message goes to the channel tested anyway). */
function sendable() {
  return Object.fromEntries(Object.entries(vocab.alertEvents).filter(([event]) => event !== "channel.test"));
}

function addForm(app, scope, unitId) {
  // One id per form until saved: a retry of the same submit cannot add the channel twice.
  let id = crypto.randomUUID();
  const kind = h("select", { name: "kind" }, Object.entries(KINDS).map(([v, label]) => h("option", { value: v }, label)));
  const unit = units.unitSelect(scope, { name: "unitId", value: unitId || (scope[0] || {}).id });
  const url = field("机器人 Webhook 地址", h("input", { name: "url", type: "url", autocomplete: "off", maxlength: 500 }),
    { hint: "在群设置 › 群机器人 › 添加机器人后复制。保存后只显示遮盖后的地址。" });
  const secret = field("加签密钥（可空）", h("input", { name: "secret", autocomplete: "off", maxlength: 200 }),
    { hint: "钉钉机器人安全设置选“加签”时显示的 SEC 开头的密钥。" });
  const phone = field("手机号", h("input", { name: "phone", type: "tel", inputmode: "numeric", autocomplete: "off", maxlength: 20 }), { hint: "如值班电话。保存后只显示遮盖后的号码。" });
  const show = () => {
    url.hidden = kind.value === "sms";
    secret.hidden = kind.value !== "dingtalk";
    phone.hidden = kind.value !== "sms";
  };
  kind.addEventListener("change", show);
  show();
  const notice = h("div", { role: "status" });
  const form = h("form.card.channel-form", { novalidate: true, "aria-labelledby": "channel-add-h" },
    h("h2", { id: "channel-add-h" }, "登记渠道"),
    h("div.grid", field("单位", unit), field("类型", kind), field("名称", h("input", { name: "name", maxlength: 50 }), { hint: "如：城关镇儿童工作群" })),
    url, secret, phone,
    chips("events", "只发送这些事件（可不选）", sendable(), [], { hint: "不选：凡提醒规则选用此类渠道的事件都发送。" }),
    notice, h("div.actions", h("button.primary", { type: "submit" }, "登记")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const value = (name) => form.querySelector(`[name="${name}"]`).value.trim();
    const events = chosen(form, "events");
    const body = { id, unitId: value("unitId"), kind: value("kind"), name: value("name"), events: events.length ? events : null };
    if (body.kind === "sms") body.phone = value("phone");
    else body.url = value("url");
    if (body.kind === "dingtalk" && value("secret")) body.secret = value("secret");
    button.disabled = true;
    showFieldErrors(form, {});
    notice.replaceChildren();
    try {
      await post("/v1/alert-channels", body);
      id = crypto.randomUUID();
      toast("渠道已登记");
      app.go(`#/alert-channels${query({ unitId: body.unitId })}`);
    } catch (error) {
      if (error.status === 409) {
        // This id was saved by an earlier try (whose answer was lost) with other values: the list
        // shows it; what is typed now goes under a new id.
        id = crypto.randomUUID();
        notice.replaceChildren(h("p.banner.warn", { role: "alert" }, "此前一次提交已登记了一个渠道（见上方列表）。如仍需登记当前内容，请再点“登记”。"));
      } else showRefusal(form, notice, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
