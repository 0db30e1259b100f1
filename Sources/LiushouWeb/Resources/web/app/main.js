// The field app (外勤): hash routes, the session, the network indicator and the sync loop.
import { h, mount, toast } from "../shared/ui.js";
import * as session from "../shared/session.js";
import { isSecondFactorDue } from "../shared/api.js";
import { outbox, clearDevice } from "./data.js";
import { loginView, passwordView, lockView, secondFactorView } from "./views/login.js";
import { isLocked, lock, unlock } from "./lock.js";
import { todayView, refreshTasks } from "./views/today.js";
import { personView } from "./views/person.js";
import { recordView } from "./views/record.js";
import { outboxView } from "./views/outbox.js";
import { followUpsView } from "./views/followups.js";
import { reportView } from "./views/report.js";
import { pairingsView } from "./views/pairings.js";
import { meView } from "./views/me.js";
import { inboxView } from "./views/inbox.js";
import { contactView } from "./views/contact.js";
import { onUnread, pollUnread, setUnread, unreadBadge, unreadLabel } from "../shared/alerts.js";

const view = document.getElementById("view");
const views = {
  login: loginView, password: passwordView, lock: lockView, "second-factor": secondFactorView, today: todayView, person: personView, record: recordView, outbox: outboxView,
  followups: followUpsView, report: reportView, pairings: pairingsView, me: meView, inbox: inboxView, contact: contactView,
};

export const app = {
  view,
  go(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },
  sync: syncNow,
  online: () => navigator.onLine,
  render: () => render(),
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function route() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id] = path.split("/");
  // Ids go into API paths: only a UUID is taken.
  if (id !== undefined && !UUID.test(id)) return { name: "today", params: new URLSearchParams() };
  return { name: name || "today", id, params: new URLSearchParams(search) };
}

async function render() {
  const { name, id, params } = route();
  const profile = session.profile();
  let target = views[name] ? name : "today";
  if (profile && session.idleFor() > idleLimit(profile)) lockNow();
  if (!profile) target = "login";
  else if (isLocked()) target = "lock";
  else if (session.owesSecondFactor(profile)) target = "second-factor";
  else if (profile.mustChangePassword && target !== "me") target = "password";
  else if (target === "second-factor") target = "today";
  if (profile && target === "login") target = "today";
  updateChrome(profile, target);
  try {
    await views[target]({ app, id, params, profile });
  } catch (error) {
    if (isSecondFactorDue(error)) return;
    console.error(error);
    mount(view, h("div.banner.bad", { role: "alert" }, `页面出错：${error.message}`));
  }
  view.focus({ preventScroll: true });
}

function updateChrome(profile, current) {
  const tabs = document.getElementById("tabs");
  tabs.hidden = !profile || profile.mustChangePassword || ["lock", "second-factor"].includes(current);
  document.getElementById("report-link").hidden = !profile || !session.can("safeguarding.report") || ["report", "lock", "second-factor"].includes(current);
  const show = { pairings: session.can("volunteer_visits.record"), followups: session.can("followups.handle"), today: true, outbox: true, inbox: true, me: true };
  // Roles that make no door checks start on a page of their own, not a task list.
  const home = tabs.querySelector("a[data-tab=today]");
  if (home) home.textContent = !profile || session.can("checks.record") ? "今日任务" : "首页";
  for (const link of tabs.querySelectorAll("a")) {
    link.hidden = !show[link.dataset.tab];
    if (link.dataset.tab === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  updateCounts();
  if (!tabs.hidden && navigator.onLine) pollUnread(60000, { whilePaused: isLocked });
}

async function updateCounts() {
  const profile = session.profile();
  const count = profile ? await outbox.pendingCount(profile.accountId) : 0;
  document.getElementById("outbox-count").textContent = count ? String(count) : "";
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? (count ? `在线 · ${count} 条待上传` : "在线") : `离线${count ? ` · ${count} 条待上传` : ""}`;
  net.classList.toggle("offline", !navigator.onLine);
}

let syncing = null;
/** Sends waiting records now (if online and logged in); never mints new ids. */
async function syncNow({ quiet = false } = {}) {
  const profile = session.profile();
  // Nothing is sent while a code is owed: the server would refuse every record until it is given.
  if (!profile || !navigator.onLine || isLocked() || session.owesSecondFactor(profile)) return null;
  if (syncing) return syncing;
  syncing = (async () => {
    const summary = await outbox.sync(profile.accountId);
    if (summary.error && summary.error.status === 401) {
      await expired();
    } else if (summary.sent || summary.duplicate) {
      if (!quiet) toast(`已上传 ${summary.sent + summary.duplicate} 条记录`);
      if (session.can("checks.record")) refreshTasks(profile).catch(() => {});
    }
    if (summary.rejected || summary.conflict) toast(`${summary.rejected + summary.conflict} 条记录未被接受，请在“待上传”中查看原因`, "bad");
    return summary;
  })().finally(() => {
    syncing = null;
    updateCounts();
  });
  return syncing;
}

async function expired() {
  localStorage.setItem("liushou.notice", "登录已过期，请重新登录。未上传的记录仍在本机，登录后自动上传。");
  localStorage.removeItem("liushou.profile");
  app.go("#/login");
}

session.onUnauthorized(() => {
  setUnread(null);
  if (session.profile()) expired();
});
session.onSecondFactor((profile) => {
  if (session.owesSecondFactor(profile)) render();
});
session.onLogout(async (reason) => {
  setUnread(null);
  await clearDevice();
  unlock();
  if (reason) localStorage.setItem("liushou.notice", reason);
});
const idleLimit = (profile) => (profile.idleTimeoutSeconds || 1800) * 1000;
/** Locks the app and ends the server session behind it: a lock that left the session alive would
 *  leave it open to any page of the same browser (the console, a pasted API address). */
function lockNow() {
  if (isLocked()) return;
  lock();
  session.endServerSession();
}
session.watchIdle(() => {
  if (isLocked()) return;
  lockNow();
  render();
});
outbox.onChange(updateCounts);
onUnread((count) => {
  document.getElementById("inbox-count").textContent = unreadBadge(count);
  document.getElementById("inbox-tab").setAttribute("aria-label", unreadLabel(count, "消息"));
});

addEventListener("hashchange", render);
addEventListener("online", () => {
  updateCounts();
  syncNow();
});
addEventListener("offline", updateCounts);
setInterval(() => syncNow({ quiet: true }), 60000);

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch((error) => console.warn("service worker", error));
}

await render();
syncNow({ quiet: true });
