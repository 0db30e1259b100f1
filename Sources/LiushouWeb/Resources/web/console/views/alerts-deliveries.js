// 发送记录 (alerts.manage): alerts sent outside the console (WeCom, DingTalk, SMS) by status; the
// dead letters (given up after their retries) can be sent again.
import { h, mount, toast, formatTime } from "../../shared/ui.js";
import { get, post, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import { failure } from "./alerts-common.js";

const TABS = { dead: "发送失败", pending: "待发送", sent: "已发送" };

export async function alertDeliveriesView({ app, params }) {
  const status = TABS[params.get("status")] ? params.get("status") : "dead";
  const data = await get(`/v1/alert-deliveries${query({ status, limit: 100 })}`);
  mount(app.view, h("h1", "发送记录"),
    h("nav.row.no-print", { "aria-label": "发送状态" }, Object.entries(TABS).map(([key, label]) =>
      h("a.button", { href: `#/alert-deliveries${query({ status: key })}`, "aria-current": key === status ? "page" : null }, label))),
    h("p.muted", { role: "status" }, `${data.items.length} 条${TABS[status]}${status === "dead" ? "（已多次重试仍未送达，核对渠道后可重新发送）" : ""}`),
    data.items.length ? table(app, status, data.items) : h("p.card", status === "dead" ? "没有发送失败的提醒。" : "没有记录。"));
}

function table(app, status, items) {
  const columns = ["创建时间", "事件", "标题", "渠道", "接收方", "尝试次数", status === "sent" ? "送达时间" : "下次尝试", "最后错误"];
  if (status === "dead") columns.push("操作");
  return h("div.table-wrap", h("table.list.alert-deliveries", h("caption.sr-only", `${TABS[status]}的提醒`),
    h("thead", h("tr", columns.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", items.map((d) => h("tr", { dataset: { id: d.id } },
      h("td", formatTime(d.createdAt)), h("td", d.eventName || vocab.alertEvents[d.event] || d.event), h("td.wrap", d.title),
      h("td", vocab.alertChannels[d.channel] || d.channel), h("td", h("code", d.target || "—")), h("td", String(d.attempts ?? 0)),
      h("td", formatTime(status === "sent" ? d.sentAt : d.nextAttemptAt)), h("td.wrap", d.lastError || "—"),
      status === "dead" ? h("td", retryButton(app, d)) : null)))));
}

function retryButton(app, delivery) {
  const button = h("button.small", { type: "button", className: "small retry", "aria-label": `重新发送：${delivery.title}` }, "重新发送");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post(`/v1/alert-deliveries/${delivery.id}/retry`);
      toast("已重新排队发送");
    } catch (error) {
      toast(error.status === 409 ? "这条记录已不在失败状态，列表已刷新" : failure(error), "bad");
    }
    app.render();
  });
  return button;
}
