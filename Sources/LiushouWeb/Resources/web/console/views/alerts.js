// 收件箱 (every signed-in user's alerts, newest first) and 我的接收方式 (the caller's phone, WeCom and
// DingTalk accounts for alerts sent outside the console).
import { h, mount, toast } from "../../shared/ui.js";
import { alertItem, listAlerts, onReadAll, contactForm, loadContact, setUnread } from "../../shared/alerts.js";

const PAGE = 50;

export async function alertsView({ app, params }) {
  const unreadOnly = params.get("filter") === "unread";
  const data = await listAlerts({ unreadOnly, limit: PAGE });
  setUnread(data.unread);
  const status = h("p.muted", { role: "status" });
  const showCount = () => {
    status.textContent = `共 ${data.unread} 条未读${unreadOnly ? "" : `，本页 ${list.children.length} 条`}`;
    readAll.disabled = data.unread === 0;
  };
  const onRead = (alert) => {
    data.unread = Math.max(0, data.unread - 1);
    if (unreadOnly) list.querySelector(`li[data-id="${CSS.escape(alert.id)}"]`)?.remove();
    showCount();
  };
  const list = h("ul.queue.alerts", data.items.map((a) => alertItem(a, { onRead })));
  const readAll = h("button", { type: "button", id: "read-all" }, "全部标为已读");
  onReadAll(readAll, () => app.render());
  const more = moreButton(data, list, unreadOnly, onRead);
  mount(app.view, h("h1", "收件箱"),
    h("div.row.no-print",
      h("nav.row.grow", { "aria-label": "消息筛选" },
        h("a.button", { href: "#/alerts", "aria-current": unreadOnly ? null : "page" }, "全部"),
        h("a.button", { href: "#/alerts?filter=unread", "aria-current": unreadOnly ? "page" : null }, "未读")),
      readAll, h("a.button", { href: "#/contact" }, "我的接收方式")),
    status,
    data.items.length ? list : h("p.card", unreadOnly ? "没有未读消息。" : "还没有消息。"),
    more);
  showCount();
}

/** 加载更多: the next page, older than the last one shown. */
function moreButton(data, list, unreadOnly, onRead) {
  if (data.items.length < PAGE) return null;
  let oldest = data.items[data.items.length - 1].createdAt;
  const shown = new Set(data.items.map((a) => a.id));
  const button = h("button", { type: "button", className: "no-print" }, "加载更早的消息");
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      // Times come in whole seconds: ask from a second later and skip what is already shown, so
      // alerts of the same second are not lost between pages.
      const before = new Date(Date.parse(oldest) + 1000).toISOString();
      const next = await listAlerts({ unreadOnly, before, limit: PAGE });
      const fresh = next.items.filter((a) => !shown.has(a.id));
      fresh.forEach((a) => shown.add(a.id));
      list.append(...fresh.map((a) => alertItem(a, { onRead })));
      if (next.items.length < PAGE || !fresh.length) button.remove();
      else oldest = next.items[next.items.length - 1].createdAt;
    } catch (error) {
      toast(`加载失败：${error.message}`, "bad");
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export async function contactView({ app }) {
  const loaded = await loadContact();
  mount(app.view, h("h1", "我的接收方式"),
    h("p", "站内消息始终显示在收件箱中。县、乡镇管理员把提醒规则设为短信、企业微信或钉钉时，按这里填写的方式通知你。"),
    h("div.card.narrow-form", contactForm(loaded)),
    h("p", h("a", { href: "#/alerts" }, "返回收件箱")));
}
