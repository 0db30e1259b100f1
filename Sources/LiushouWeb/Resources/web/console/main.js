// The office console (工作台): hash routes, the session, the menu from the caller's permissions.
import { h, mount, toast } from "../shared/ui.js";
import { codeForm } from "../shared/two-factor.js";
import * as session from "../shared/session.js";
import { isSecondFactorDue } from "../shared/api.js";
import { menuFor, routeAllowed, menuLabel } from "./menu.js";
import { forgetAll as forgetUnits } from "./units.js";
import { forgetMatters } from "./views/legal-common.js";

/** What one user's pages cached that the next user in this tab must not see. */
function forgetCaches() {
  forgetUnits();
  forgetMatters();
  // The tab's own store: full numbers a person's page was showing (reveal:<person id>), the accounts
  // opened lately. None of it outlives the session it was made in.
  try {
    sessionStorage.clear();
  } catch {
    // Storage blocked: nothing was kept there either.
  }
}
import { loginView, passwordView, homeView, secondFactorView, twoFactorView } from "./views/login.js";
import { personsView } from "./views/persons.js";
import { personView } from "./views/person.js";
import { personFormView } from "./views/person-form.js";
import { ledgerView } from "./views/ledger.js";
import { followUpsView, safeguardingView, overdueView } from "./views/queues.js";
import { unitsView } from "./views/units.js";
import { usersView, serviceAccountsView } from "./views/users.js";
import { auditView } from "./views/audit.js";
import { reliefView } from "./views/relief.js";
import { legalView } from "./views/legal.js";
import { schoolsView } from "./views/schools.js";
import { clinicsView } from "./views/clinics.js";
import { volunteersView } from "./views/volunteers.js";
import { alertsView, contactView } from "./views/alerts.js";
import { alertRulesView } from "./views/alerts-rules.js";
import { alertChannelsView } from "./views/alerts-channels.js";
import { alertDeliveriesView } from "./views/alerts-deliveries.js";
import { onUnread, pollUnread, setUnread, unreadBadge, unreadLabel } from "../shared/alerts.js";

const view = document.getElementById("view");
const views = {
  login: loginView, password: passwordView, home: homeView, "second-factor": secondFactorView, "two-factor": twoFactorView, persons: personsView, person: personView,
  new: personFormView, edit: personFormView, ledger: ledgerView, followups: followUpsView, safeguarding: safeguardingView,
  overdue: overdueView, units: unitsView, users: usersView, "service-accounts": serviceAccountsView, audit: auditView,
  relief: reliefView, legal: legalView, schools: schoolsView, clinics: clinicsView, volunteers: volunteersView,
  alerts: alertsView, contact: contactView, "alert-rules": alertRulesView, "alert-channels": alertChannelsView, "alert-deliveries": alertDeliveriesView,
};

export const app = {
  view,
  go(hash) {
    if (location.hash === hash) render();
    else location.hash = hash;
  },
  render: () => render(),
  /** Replaces the route's query without adding a history entry (filters). */
  replaceQuery(params) {
    const { name, id } = route();
    const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== null && v !== undefined)).toString();
    history.replaceState(null, "", `#/${name}${id ? `/${id}` : ""}${search ? `?${search}` : ""}`);
  },
};

export function route() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, id, sub] = path.split("/");
  return { name: name || "home", id, sub, params: new URLSearchParams(search) };
}

let interruptedRender = false;
let typedInView = false;
view.addEventListener("input", () => {
  typedInView = true;
});

async function render() {
  interruptedRender = false;
  typedInView = false;
  const { name, id, sub, params } = route();
  const profile = session.profile();
  let target = views[name] ? name : "home";
  if (name === "persons" && id) target = sub === "edit" ? "edit" : "person";
  if (!profile) target = "login";
  else if (profile.secondFactor === "pending") target = "second-factor";
  else if (profile.secondFactor === "enrol") target = "two-factor";
  else if (profile.mustChangePassword) target = "password";
  else if (target === "second-factor") target = "home";
  else if (target === "login") target = "home";
  updateChrome(profile, target);
  if (profile && !routeAllowed(target, profile)) {
    mount(view, h("h1", "无权限"), h("p.banner.warn", { role: "alert" }, "你的角色不能打开此页面。请从左侧菜单选择。"));
    return;
  }
  try {
    await views[target]({ app, id, sub, params, profile, name: target });
  } catch (error) {
    // The page could not load for want of a code: the code dialog renders it again once given.
    if (isSecondFactorDue(error)) {
      interruptedRender = true;
      return;
    }
    console.error(error);
    mount(view, h("h1", "出错了"), h("p.banner.bad", { role: "alert" }, `页面出错：${error.message}`));
  }
  // Named by the menu, not the page's heading: a heading may hold a person's name, and titles stay in
  // the browser's history.
  document.title = `${menuLabel(target) || "工作台"} · 留守关爱工作台`;
  view.focus({ preventScroll: true });
}

function updateChrome(profile, current) {
  const menu = document.getElementById("menu");
  const loggedIn = !!profile && !profile.mustChangePassword && !session.owesSecondFactor(profile);
  menu.hidden = !loggedIn;
  document.getElementById("menu-toggle").hidden = !loggedIn;
  document.getElementById("logout").hidden = !profile;
  document.getElementById("account-link").hidden = true;
  document.getElementById("alerts-bell").hidden = !loggedIn;
  if (loggedIn) pollUnread();
  const who = document.getElementById("who");
  who.textContent = profile ? `${profile.username}` : "";
  if (!loggedIn) {
    menu.replaceChildren();
    return;
  }
  const groups = menuFor(profile);
  mount(menu, groups.map((g) => h("section.menu-group", h("h2", g.group), h("ul", g.items.map((item) => h("li",
    h("a", { href: item.href || `#/${item.route}`, dataset: { route: item.route },
      "aria-current": item.route === current || (item.route === "persons" && current === "person") ? "page" : null }, item.label)))))));
}

onUnread((count) => {
  const bell = document.getElementById("alerts-bell");
  bell.setAttribute("aria-label", unreadLabel(count));
  document.getElementById("alerts-count").textContent = unreadBadge(count);
});
document.getElementById("logout").addEventListener("click", () => {
  setUnread(null);
  session.logout("已退出登录。").then(() => app.go("#/login"));
});
document.getElementById("menu-toggle").addEventListener("click", (event) => {
  const open = document.body.classList.toggle("menu-open");
  event.currentTarget.setAttribute("aria-expanded", String(open));
});
document.getElementById("menu").addEventListener("click", (event) => {
  if (event.target.closest("a")) {
    document.body.classList.remove("menu-open");
    document.getElementById("menu-toggle").setAttribute("aria-expanded", "false");
  }
});

session.onUnauthorized(() => {
  setUnread(null);
  if (session.profile()) {
    localStorage.setItem("liushou.notice", "登录已过期，请重新登录。");
    localStorage.removeItem("liushou.profile");
    forgetCaches();
    app.go("#/login");
  }
});
session.onSecondFactor((profile) => {
  if (!session.owesSecondFactor(profile)) return;
  // A code owed in the middle of work is asked for over the page, so what was typed stays.
  if (profile.secondFactor === "pending" && !["login", "second-factor"].includes(route().name)) codeDialog();
  else render();
});

function codeDialog() {
  if (document.querySelector("dialog.code-dialog")) return;
  const dialog = h("dialog.code-dialog", { "aria-labelledby": "code-dialog-title" });
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  dialog.append(
    h("h2", { id: "code-dialog-title" }, "需要验证码"),
    h("p", "本次会话需要验证。页面上已填写的内容仍在。"),
    codeForm({
      className: "form",
      onDone: () => {
        close();
        // A page with nothing typed into it loads again; one with typed work stays for resubmitting.
        if (interruptedRender || !typedInView) render();
        else toast("已验证，请重新提交刚才的操作");
      },
      onSessionEnded: () => {
        close();
        session.forget("验证码错误次数过多，请重新登录。").then(() => app.go("#/login"));
      },
    }),
  );
  dialog.addEventListener("cancel", (event) => event.preventDefault());
  document.body.append(dialog);
  dialog.showModal();
}
session.onLogout(async (reason) => {
  forgetCaches();
  if (reason) localStorage.setItem("liushou.notice", reason);
});
session.watchIdle(() => session.logout("30 分钟未操作，已自动退出。").then(() => app.go("#/login")));

addEventListener("hashchange", render);

// A stored profile may belong to a session that ended: confirm it once.
if (session.profile()) {
  try {
    await session.refresh();
  } catch (error) {
    if (error.status === 401) localStorage.removeItem("liushou.profile");
  }
}
await render();
