// The joint meeting's indicators per unit and child unit, with drill-down, weekly trends, the
// overdue and safeguarding lists, CSV and print; numbers open the matching list in the console.
import { get, query, isSecondFactorDue } from "../shared/api.js";
import * as session from "../shared/session.js";
import { h, mount, formatTime } from "../shared/ui.js";
import { safeguardingKinds } from "../shared/vocab.js";
import { codeForm, enrolment } from "../shared/two-factor.js";
import { passwordForm } from "../shared/password-form.js";
import { download, failureText } from "../shared/download.js";

const $ = (id) => document.getElementById(id);
const READERS = ["county_admin", "town_admin", "child_welfare_supervisor", "village_cadre"];
let definitions = null;
let trail = [];
// The indicators of the unit on screen, in the order the server sent them (a caller without legal
// aid reading gets no legal-aid column).
let shown = [];

const percent = (rate) => (rate == null ? "—" : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`);

/** The console list behind a number of the table. */
function consoleLink(unitId, key) {
  const filters = { unitId };
  if (key === "guardian") filters.noCapableGuardian = "true";
  if (key === "cadre_visits" || key === "daily_knock") return `/console/#/overdue${query(filters)}`;
  if (key === "elders_checked") filters.category = "left_behind_elder";
  if (key === "women_screened") filters.category = "left_behind_woman";
  if (["guardian", "guardian_confirmed", "enrolment", "retention", "kindergarten"].includes(key)) filters.category = "left_behind_child";
  return `/console/#/persons${query(filters)}`;
}

function signedOut(message = "") {
  $("board").hidden = true;
  $("step").hidden = true;
  $("step").replaceChildren();
  // The next person at a shared desk finds the form empty, not filled with the last user's login.
  $("username").value = "";
  $("password").value = "";
  $("login").hidden = false;
  for (const id of ["csv", "print", "logout", "console-link"]) $(id).hidden = true;
  $("login-error").textContent = message;
}

/** Ends the session on the server as well (a page that shows the login form holds no live session). */
async function endSession(message = "") {
  await session.logout();
  signedOut(message);
}

/** A step between the password and the indicators: the code, the authenticator's enrolment, a new password. */
function showStep(title, ...content) {
  $("login").hidden = true;
  $("board").hidden = true;
  for (const id of ["csv", "print", "console-link"]) $(id).hidden = true;
  $("logout").hidden = false;
  mount($("step"), h("h2", { id: "step-title" }, title), content);
  $("step").hidden = false;
}

const sessionEnded = () => session.forget().then(() => signedOut("登录已结束（验证码错误次数过多或已过期），请重新登录。"));
const cancelButton = () => h("button", { type: "button", onclick: () => endSession() }, "退出");

/** Where a signed-in session goes next: its second factor, then a pending password change, then the indicators. */
async function proceed(profile) {
  if (profile.secondFactor === "pending") {
    showStep("双因素认证", codeForm({
      className: "form",
      onDone: async (fresh, left) => {
        await proceed(fresh);
        if (left !== undefined && left !== null) $("board-error").textContent = `已使用恢复码，还剩 ${left} 个；用完前请联系上级管理员重置身份验证器。`;
      },
      onSessionEnded: sessionEnded,
      actions: [cancelButton()],
    }));
  } else if (profile.secondFactor === "enrol") {
    showStep("绑定身份验证器", h("p.banner.warn", "你的角色要求使用双因素认证：绑定身份验证器后才能查看指标。"), h("p.muted", "正在准备…"));
    try {
      const card = await enrolment({ className: "div.enrol", onDone: (fresh) => proceed(fresh), onSessionEnded: sessionEnded });
      showStep("绑定身份验证器", h("p.banner.warn", "你的角色要求使用双因素认证：绑定身份验证器后才能查看指标。"), card,
        h("div.actions", cancelButton()));
    } catch (error) {
      if (error.status === 401) return signedOut("登录已过期，请重新登录");
      showStep("绑定身份验证器", h("p.field-error", { role: "alert" }, `无法开始绑定：${error.offline ? "网络不可用" : error.message}`),
        h("div.actions", h("button.primary", { type: "button", onclick: () => proceed(profile) }, "重试"), cancelButton()));
    }
  } else if (profile.mustChangePassword) {
    showStep("修改密码", passwordForm({ profile, className: "form", onDone: () => start(), actions: [cancelButton()] }));
  } else {
    await start();
  }
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  if (!$("username").value.trim() || !$("password").value) {
    $("login-error").textContent = "请输入用户名和密码";
    return;
  }
  $("submit").disabled = true;
  try {
    const profile = await session.login($("username").value.trim(), $("password").value);
    $("password").value = "";
    await proceed(profile);
  } catch (error) {
    // A session the password opened before a later step failed (reading the profile) ends too.
    if (error.status !== 401 && !error.offline) await session.endServerSession();
    $("login-error").textContent = error.status === 401 ? "登录失败：用户名或密码错误，或账号已被锁定" : `登录失败：${error.message}`;
  } finally {
    $("submit").disabled = false;
  }
});
$("logout").addEventListener("click", () => endSession());
$("print").addEventListener("click", () => window.print());
$("csv").addEventListener("click", async () => {
  const unit = trail[trail.length - 1];
  if (!unit) return;
  const button = $("csv");
  button.disabled = true;
  $("board-error").textContent = "";
  try {
    await download(`/v1/dashboard.csv${query({ unitId: unit.id })}`, `联席会议指标-${unit.name}.csv`);
  } catch (error) {
    // A session ended or a code owed: the listeners above take over.
    if (error.status !== 401 && !isSecondFactorDue(error)) $("board-error").textContent = `导出失败：${failureText(error)}`;
  } finally {
    button.disabled = false;
  }
});
$("show-definitions").addEventListener("click", (event) => {
  event.preventDefault();
  const box = $("definitions");
  box.hidden = !box.hidden;
  mount(box, h("dl", definitions.indicators.map((d) => [
    h("dt", h("b", d.name), `（目标 ${d.target == null ? "未设定" : percent(d.target)}）`), h("dd", d.definition)])));
});
session.onUnauthorized(() => signedOut("登录已过期，请重新登录"));
// A code owed in the middle of a visit (an authenticator enrolled in another session): asked for here.
session.onSecondFactor((profile) => {
  if (session.owesSecondFactor(profile)) proceed(profile);
});
session.watchIdle(() => session.logout().then(() => signedOut("30 分钟未操作，已自动退出")));

async function start() {
  $("login").hidden = true;
  try {
    const profile = await session.refresh();
    if (session.owesSecondFactor(profile) || profile.mustChangePassword) {
      await proceed(profile);
      return;
    }
    const grant = profile.grants.filter((g) => READERS.includes(g.role)).sort((a, b) => a.unitPath.length - b.unitPath.length)[0];
    if (!grant) {
      await endSession("您的账号没有查看指标的权限。");
      return;
    }
    definitions = await get("/v1/dashboard/definitions");
    $("step").hidden = true;
    $("step").replaceChildren();
    for (const id of ["csv", "print", "logout", "console-link"]) $(id).hidden = false;
    trail = [];
    // A unit in the address (a drill-down of an earlier visit, maybe of another user) is shown when
    // this user may read it; otherwise the user's own unit is.
    const wanted = new URLSearchParams(location.hash.slice(1)).get("unitId");
    if (!(wanted && wanted !== grant.unitId && (await show(wanted, { quiet: true })))) await show(grant.unitId);
  } catch (error) {
    if (error.status === 401) return;
    // The second factor's listener above asks for it.
    if (isSecondFactorDue(error)) return;
    if (error.status === 403 && error.problem.code === "password_change_required") {
      const profile = await session.refresh().catch(() => null);
      if (profile) return proceed({ ...profile, mustChangePassword: true });
    }
    // The login form is shown again: the session behind it ends too.
    await endSession(error.message);
  }
}
/** Shows a unit's table, trend and lists; answers whether it could. */
async function show(unitId, { quiet = false } = {}) {
  let dashboard;
  $("board-error").textContent = "";
  try {
    dashboard = await get(`/v1/dashboard${query({ unitId })}`);
  } catch (error) {
    if (error.status === 401) return false;
    if (!quiet) {
      $("board").hidden = false;
      $("board-error").textContent = `无法显示该单位的指标：${error.message}`;
    }
    return false;
  }
  const self = dashboard.rows[0];
  const index = trail.findIndex((u) => u.id === self.unitId);
  if (index >= 0) trail = trail.slice(0, index + 1);
  else trail.push({ id: self.unitId, name: self.unitName });
  history.replaceState(null, "", `#unitId=${self.unitId}`);
  mount($("crumbs"), trail.map((u, i) => [i ? "› " : "", h("a", { href: "#", dataset: { crumb: String(i) } }, u.name)]));
  $("title").textContent = `${self.unitName} · 指标一览`;
  $("generated").textContent = formatTime(dashboard.generatedAt);
  renderTable(dashboard);
  $("board").hidden = false;
  loadTrend(self.unitId);
  loadLists(self.unitId);
  return true;
}

$("crumbs").addEventListener("click", (event) => {
  const crumb = event.target.dataset.crumb;
  if (crumb != null) {
    event.preventDefault();
    show(trail[Number(crumb)].id);
  }
});

function renderTable(dashboard) {
  // Columns follow the indicators the rows carry, each cell found by its key, so that a column the
  // caller may not see shifts no figure under another's heading.
  const byKey = new Map(definitions.indicators.map((d) => [d.key, d]));
  shown = dashboard.rows[0].indicators.map((v) => byKey.get(v.key) || { key: v.key, name: v.key, target: null, definition: "" });
  const head = h("thead", h("tr", h("th", { scope: "col" }, "单位"),
    shown.map((d) => h("th", { scope: "col", title: d.definition, dataset: { key: d.key } }, d.name,
      d.target == null ? null : [h("br"), h("span.muted", `目标 ${percent(d.target)}`)])),
    h("th", { scope: "col" }, "在管人员"), h("th", { scope: "col" }, "待办跟进"), h("th", { scope: "col" }, "未确认强制报告")));
  const body = h("tbody", dashboard.rows.map((row, i) => {
    const c = row.counts;
    const followUps = c.follow_ups_open_under_7_days + c.follow_ups_open_7_to_30_days + c.follow_ups_open_over_30_days;
    const reports = c.safeguarding_unacknowledged_under_1_day + c.safeguarding_unacknowledged_1_to_7_days + c.safeguarding_unacknowledged_over_7_days;
    return h(`tr.${i === 0 ? "self" : "child"}`,
      h("th", { scope: "row" }, i === 0 ? row.unitName : h("a.drill", { href: "#", dataset: { unit: row.unitId } }, row.unitName)),
      shown.map((d) => {
        const v = row.indicators.find((x) => x.key === d.key);
        return v ? h(`td.${v.status}`, { dataset: { key: v.key } },
          h("a", { href: consoleLink(row.unitId, v.key), title: "在工作台中打开名单" }, percent(v.rate), h("span.frac", `${v.numerator} / ${v.denominator}`)))
          : h("td", { dataset: { key: d.key } }, "—");
      }),
      h("td", h("a", { href: consoleLink(row.unitId, "persons") }, String(c.persons))),
      h("td", h("a", { href: "/console/#/followups" }, String(followUps)),
        c.follow_ups_open_over_30_days ? h("span.frac", `超 30 天 ${c.follow_ups_open_over_30_days}`) : null),
      h(`td${reports ? ".red" : ""}`, h("a", { href: "/console/#/safeguarding" }, String(reports))));
  }));
  mount($("indicators"), head, body);
}

$("indicators").addEventListener("click", (event) => {
  const unit = event.target.dataset && event.target.dataset.unit;
  if (unit) {
    event.preventDefault();
    show(unit);
  }
});

async function loadTrend(unitId) {
  try {
    const trend = await get(`/v1/dashboard/trend${query({ unitId, weeks: 12 })}`);
    mount($("charts"), shown.map((d) => {
      const points = trend.weeks.map((w) => {
        const v = w.indicators.find((x) => x.key === d.key);
        return { week: w.weekStart, rate: v ? v.rate : null };
      });
      return h("div.chart", h("h3", d.name), sparkline(points, d.target, d.name));
    }));
  } catch {
    $("charts").textContent = "暂无趋势数据";
  }
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  return el;
}

function sparkline(points, target, name) {
  if (!points.length) return h("p.muted", "暂无数据");
  const w = 240, hgt = 70, pad = 4;
  const x = (i) => pad + (points.length === 1 ? (w - 2 * pad) / 2 : (i * (w - 2 * pad)) / (points.length - 1));
  const y = (r) => hgt - pad - r * (hgt - 2 * pad);
  const chart = svg("svg", { viewBox: `0 0 ${w} ${hgt}`, role: "img", "aria-label": `${name}按周趋势` });
  if (target != null) chart.append(svg("line", { class: "target", x1: 0, x2: w, y1: y(target), y2: y(target) }));
  const drawn = points.map((p, i) => (p.rate == null ? null : [x(i), y(p.rate)])).filter(Boolean);
  chart.append(svg("polyline", { class: "line", points: drawn.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ") }));
  for (const [a, b] of drawn) chart.append(svg("circle", { class: "point", cx: a.toFixed(1), cy: b.toFixed(1), r: 2.5 }));
  const last = points[points.length - 1];
  return [chart, h("div.muted", `${points[0].week} 至 ${last.week}：${percent(last.rate)}`)];
}

async function loadLists(unitId) {
  try {
    const list = await get(`/v1/overdue${query({ unitId, limit: 50 })}`);
    mount($("overdue"), list.items.length ? list.items.map((o) => h("li", h("b", o.personName), ` · ${o.description} · 逾期 ${o.hoursLate} 小时`,
      o.responsible ? [h("br"), h("span.muted", `责任人：${o.responsible}`)] : null)) : h("li.muted", "无逾期走访"));
  } catch {
    mount($("overdue"), h("li.muted", "无权查看"));
  }
  try {
    const list = await get("/v1/safeguarding-reports");
    mount($("reports"), list.items.length ? list.items.map((r) => h("li", h("b", safeguardingKinds[r.kind] || r.kind),
      ` · ${formatTime(r.reportedAt)} · 报告人 ${r.reporterName}`, r.policeNotifiedAt ? null : [h("br"), h("span.error", "尚未记录报警")]))
      : h("li.muted", "无未确认的强制报告"));
  } catch {
    mount($("reports"), h("li.muted", "无权查看"));
  }
}

if (session.profile()) start();
else signedOut();
