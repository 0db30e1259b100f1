// 消息: the caller's alerts, newest first, marked read one by one or all at once. The device keeps
// the last list fetched (title, body and times only: alerts carry no names or numbers) and shows it
// read-only when offline.
import { h, mount, formatTime } from "../../shared/ui.js";
import { alertItem, listAlerts, onReadAll, setUnread } from "../../shared/alerts.js";
import { cached, keep } from "../data.js";

const KEY = "alerts";

/** What the device keeps of an alert. */
const kept = (a) => ({ title: a.title, body: a.body, createdAt: a.createdAt, readAt: a.readAt });

export async function inboxView({ app, profile }) {
  const status = h("p.muted.small", { role: "status" });
  const list = h("ul.alerts");
  const readAll = h("button", { type: "button", id: "read-all" }, "全部标为已读");
  mount(app.view, h("div.row", h("h2.grow", "消息"), h("a.button", { href: "#/contact" }, "接收方式")), status, list, h("div.actions", readAll));
  let data = null;
  if (navigator.onLine) {
    try {
      data = await listAlerts({ limit: 50 });
      await keep(KEY, { items: data.items.map(kept) }, profile.accountId);
    } catch (error) {
      if (!error.offline) status.textContent = `加载失败：${error.message}`;
    }
  }
  if (data) return drawLive(app, profile, data, status, list, readAll);
  const entry = await cached(KEY);
  readAll.hidden = true;
  if (!entry) {
    status.textContent = "";
    list.replaceWith(h("p.banner.warn", { role: "alert" }, "离线，本机还没有保存消息：请联网后打开一次。"));
    return;
  }
  status.replaceWith(h("p.banner.warn.offline-banner", { role: "status" }, `离线：显示 ${formatTime(entry.refreshedAt)} 保存的消息，标为已读需要联网。`));
  setUnread(entry.value.items.filter((a) => !a.readAt).length);
  mount(list, entry.value.items.length ? entry.value.items.map((a) => alertItem(a, { readOnly: true, heading: "h3" })) : h("li.card", "没有消息。"));
}

function drawLive(app, profile, data, status, list, readAll) {
  setUnread(data.unread);
  const show = () => {
    status.textContent = data.unread ? `${data.unread} 条未读` : "没有未读消息";
    readAll.disabled = data.unread === 0;
  };
  const onRead = () => {
    data.unread = Math.max(0, data.unread - 1);
    show();
    keep(KEY, { items: data.items.map(kept) }, profile.accountId).catch(() => {});
  };
  mount(list, data.items.length ? data.items.map((a) => alertItem(a, { onRead, heading: "h3", mapLink: inAppLink })) : h("li.card", "还没有消息。"));
  onReadAll(readAll, () => app.render());
  show();
}

/**
 * The field app's own page for an alert's link: follow-ups and a person's file open here (offline
 * too); console-only pages (schools, clinics, relief, legal aid) are not offered on the phone.
 */
function inAppLink(link) {
  if (!link) return null;
  if (link === "/app/") return "#/today";
  if (link === "/console/#/followups") return "#/followups";
  const person = link.match(/^\/console\/#\/person\/([0-9a-f-]{36})$/);
  return person ? `#/person/${person[1]}` : null;
}
