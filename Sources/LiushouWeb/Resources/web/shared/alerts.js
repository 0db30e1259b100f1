// 消息提醒 for both web clients: the unread count (polled), one alert as a list item, marking read,
// and the form of the caller's own contact settings (我的接收方式).
import { h, field, showFieldErrors, toast, formatTime, relative } from "./ui.js";
import { api, get, post } from "./api.js";
import * as session from "./session.js";
import * as vocab from "./vocab.js";

const listeners = new Set();
let unread = null;

/** Calls `listener(count)` whenever the unread count is known anew (null: unknown, e.g. logged out). */
export function onUnread(listener) {
  listeners.add(listener);
  listener(unread);
}

export function setUnread(count) {
  unread = count;
  listeners.forEach((l) => l(count));
}

function signedIn() {
  const p = session.profile();
  return !!p && !p.mustChangePassword && !session.owesSecondFactor(p);
}

/** Asks the server for the unread count (quietly: offline keeps the last one). */
export async function refreshUnread() {
  if (!signedIn()) {
    setUnread(null);
    return;
  }
  try {
    setUnread((await get("/v1/me/alerts?unread=true&limit=1")).unread);
  } catch {
    // Offline or the session ended: the session's own handlers deal with the latter.
  }
}

/**
 * Whether the user touched the page recently enough for a background poll: every request keeps the
 * server's session alive, so polling stops after half the idle time without use and the session
 * still ends on the server.
 */
function active() {
  const p = session.profile();
  return document.visibilityState === "visible" && !!p && !paused() && session.idleFor() < ((p.idleTimeoutSeconds || 1800) * 1000) / 2;
}

let timer = null;
let paused = () => false;
/**
 * Refreshes the count now and every `ms` while the page is in use (one timer per page). `whilePaused`
 * (the field app's lock screen) stops it: taps on a locked phone must not keep the session alive.
 */
export function pollUnread(ms = 60000, { whilePaused = () => false } = {}) {
  paused = whilePaused;
  if (!paused()) refreshUnread();
  if (timer) return;
  timer = setInterval(() => active() && refreshUnread(), ms);
  document.addEventListener("visibilitychange", () => active() && refreshUnread());
}

/** The alert API's English field messages in Chinese (then the shared patterns). */
export function alertMessage(text) {
  const rules = [
    [/unknown placeholder (\{[^}]*\})/i, "未知的占位符 $1，请从下方列出的占位符中选择"],
    [/must not contain an ID or phone number/i, "不能包含身份证号或电话号码"],
    [/must be a mobile number/i, "请填写 11 位手机号，或带区号的固定电话"],
    [/must be the robot's webhook address/i, "请粘贴群机器人的 Webhook 地址（https 开头，含 key 或 access_token）"],
    [/must be (\d+) to (\d+) characters/i, "需 $1 至 $2 个字"],
  ];
  for (const [pattern, replacement] of rules) {
    const match = String(text || "").match(pattern);
    if (match) return replacement.replace(/\$(\d)/g, (_, i) => match[Number(i)]);
  }
  return vocab.message(text);
}

/** "消息提醒（3 条未读）": the bell's accessible name. */
export function unreadLabel(count, name = "消息提醒") {
  return `${name}（${count || 0} 条未读）`;
}

export function unreadBadge(count) {
  return count ? (count > 99 ? "99+" : String(count)) : "";
}

export async function listAlerts({ unreadOnly = false, before = null, limit = 50 } = {}) {
  const search = new URLSearchParams({ limit: String(limit) });
  if (unreadOnly) search.set("unread", "true");
  if (before) search.set("before", before);
  return get(`/v1/me/alerts?${search}`);
}

export async function markRead(id) {
  const answer = await post(`/v1/me/alerts/${id}/read`);
  refreshUnread();
  return answer;
}

export async function markAllRead() {
  const answer = await post("/v1/me/alerts/read-all");
  refreshUnread();
  return answer;
}

/**
 * Makes `button` (全部标为已读) mark every alert read, say how many, then call `done` (the view draws
 * again); a failure says why and leaves the button to press again.
 */
export function onReadAll(button, done) {
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const { marked } = await markAllRead();
      toast(`已将 ${marked} 条标为已读`);
      done();
    } catch (error) {
      button.disabled = false;
      toast(error.offline ? "网络不可用，联网后再试" : `失败：${error.message}`, "bad");
    }
  });
}

/** A path of the console or the field app on this server (never another site or a script URL). */
function safeLink(link) {
  return typeof link === "string" && /^\/(console|app)\/[\x21-\x7e]*$/.test(link) ? link : null;
}

/**
 * One alert as a list item. Unread ones are emphasised and offer 标为已读; `readOnly` (offline, from
 * the device's copy) shows the text only. Opening the link marks the alert read first. `mapLink` turns
 * a server link into one of the page's own (null: none).
 */
export function alertItem(alert, { readOnly = false, onRead = () => {}, heading = "h2", mapLink = (link) => link } = {}) {
  const link = readOnly ? null : mapLink(safeLink(alert.link));
  const state = h("span", { className: alert.readAt ? "badge" : "badge warn" }, alert.readAt ? "已读" : "未读");
  const read = alert.readAt ? null : h("button", { type: "button", className: "mark-read" }, "标为已读");
  const open = link ? h("a.button", { href: link, className: "button open-link" }, "查看详情") : null;
  const item = h("li", { className: `card alert${alert.readAt ? "" : " unread"}`, dataset: alert.id ? { id: alert.id } : {} },
    h("div.row", h(`${heading}.grow.alert-title`, alert.title), state),
    alert.body ? h("p.alert-body", alert.body) : null,
    h("p.muted.small", [alert.eventName || vocab.alertEvents[alert.event], vocab.alertUrgencies[alert.urgency] || alert.urgency,
      `${formatTime(alert.createdAt)}（${relative(alert.createdAt)}）`].filter(Boolean).join(" · ")),
    readOnly || (!open && !read) ? null : h("div.row.alert-actions", open, read));
  const done = (readAt) => {
    alert.readAt = readAt || new Date().toISOString();
    item.classList.remove("unread");
    state.className = "badge";
    state.textContent = "已读";
    read?.remove();
    onRead(alert);
  };
  read?.addEventListener("click", async () => {
    read.disabled = true;
    try {
      done((await markRead(alert.id)).readAt);
    } catch (error) {
      read.disabled = false;
      toast(error.offline ? "网络不可用，联网后再标为已读" : `失败：${error.message}`, "bad");
    }
  });
  open?.addEventListener("click", async (event) => {
    if (alert.readAt) return;
    event.preventDefault();
    try {
      done((await markRead(alert.id)).readAt);
    } catch {
      // Reading the linked page matters more than the mark.
    }
    location.href = link;
  });
  return item;
}

/** The caller's contact settings and their version (ETag). */
export async function loadContact() {
  const response = await api("GET", "/v1/me/contact");
  const etag = (response.headers.get("etag") || "").replace(/^W\//, "").replaceAll('"', "");
  return { contact: response.data, version: etag || String(response.data.version ?? 0) };
}

function contactSummary(contact) {
  return h("dl.kv.contact-now",
    h("dt", "手机号"), h("dd", contact.phone || "未填写"),
    h("dt", "企业微信账号"), h("dd", contact.wecomUserId || "未填写"),
    h("dt", "钉钉账号"), h("dd", contact.dingtalkUserId || "未填写"));
}

/**
 * The form of 我的接收方式. The phone is only ever shown masked: an empty phone field keeps the
 * stored number, 清除 removes it. On 412 the typed values stay and the fresh record shows beside them.
 */
export function contactForm({ contact, version }, { onSaved = () => {} } = {}) {
  let current = { contact, version };
  const phone = h("input", { name: "phone", type: "tel", inputmode: "numeric", autocomplete: "off", maxlength: 20 });
  const clear = h("input", { type: "checkbox", name: "clearPhone", id: "contact-clear-phone" });
  const wecom = h("input", { name: "wecomUserId", autocomplete: "off", maxlength: 64, value: contact.wecomUserId || "" });
  const dingtalk = h("input", { name: "dingtalkUserId", autocomplete: "off", maxlength: 64, value: contact.dingtalkUserId || "" });
  const now = h("div.contact-current");
  const notice = h("div", { role: "status" });
  const button = h("button.primary", { type: "submit" }, "保存");
  const form = h("form.contact-form", { novalidate: true, "aria-label": "我的接收方式" },
    now, notice,
    field("新手机号", phone, { hint: "接收短信提醒。不填则保留当前号码；号码保存后只显示遮盖后的形式。" }),
    h("div.field.check", clear, h("label", { for: clear.id }, "清除已保存的手机号")),
    field("企业微信账号（UserID）", wecom, { hint: "在企业微信通讯录中查看；留空则不通过企业微信提醒你。" }),
    field("钉钉账号（userid）", dingtalk, { hint: "在钉钉管理后台查看；留空则不通过钉钉提醒你。" }),
    h("div.actions", button));
  const showCurrent = () => now.replaceChildren(h("p.muted.small", "当前保存的接收方式："), contactSummary(current.contact));
  showCurrent();
  clear.addEventListener("change", () => {
    phone.disabled = clear.checked;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { wecomUserId: wecom.value.trim() || null, dingtalkUserId: dingtalk.value.trim() || null };
    if (clear.checked) body.phone = null;
    else if (phone.value.trim()) body.phone = phone.value.trim();
    button.disabled = true;
    showFieldErrors(form, {});
    try {
      const response = await api("PUT", "/v1/me/contact", { body, ifMatch: current.version });
      const etag = (response.headers.get("etag") || "").replace(/^W\//, "").replaceAll('"', "");
      current = { contact: response.data, version: etag || String(response.data.version) };
      phone.value = "";
      clear.checked = false;
      phone.disabled = false;
      notice.replaceChildren();
      showCurrent();
      toast("接收方式已保存");
      onSaved(current);
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, error.fields, alertMessage);
        if (rest.length) notice.replaceChildren(h("p.banner.bad", { role: "alert" }, rest.join("；")));
      } else if (error.status === 412) {
        // Saved elsewhere meanwhile: keep what was typed, show the fresh record, save over it next time.
        try {
          current = await loadContact();
        } catch {
          // The banner below still tells what happened.
        }
        showCurrent();
        notice.replaceChildren(h("p.banner.warn", { role: "alert" },
          "接收方式刚在别处（如另一台设备）被修改过，上方已显示最新保存的内容。你填写的内容仍在表单中，核对后再次点“保存”即可覆盖。"));
      } else {
        notice.replaceChildren(h("p.banner.bad", { role: "alert" }, error.offline ? "网络不可用，联网后再保存（填写的内容仍在）" : `保存失败：${error.message}`));
      }
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
