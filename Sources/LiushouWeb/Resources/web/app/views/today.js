// 今日任务: the caller's due and overdue visits, grouped by village/grid and household, nearest due
// first; kept on the device for offline use, with the time it was last refreshed.
import { h, mount, formatTime, relative, ageOf, toast } from "../../shared/ui.js";
import { get, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as session from "../../shared/session.js";
import { cached, keep, outbox } from "../data.js";
import { myKinds } from "./record.js";

export async function refreshTasks(profile) {
  const data = await get(`/v1/tasks${query({ limit: 2000 })}`);
  await keep("tasks", data, profile.accountId);
  return data;
}

/** People recorded on this device since `since` (seen in person), by person id. */
async function recordedHere(since, accountId) {
  const seen = new Map();
  for (const record of await outbox.list(accountId)) {
    const p = record.payload;
    if (!p.personId || ["rejected", "conflict"].includes(record.state)) continue;
    if (Date.parse(p.occurredAt) >= since && !seen.has(p.personId)) seen.set(p.personId, record);
  }
  return seen;
}

/**
 * The start page of a role that makes no door checks (clinic staff, relief and legal-aid officers,
 * auditors): no task list (the server keeps it for those who visit), but what such a user does here.
 */
function startView({ app, params }) {
  const roles = session.roles().map((r) => vocab.roles[r] || r).join("、") || "—";
  const search = h("input", { type: "search", name: "q", id: "start-search", placeholder: "输入姓名查找", autocomplete: "off", value: params.get("q") || "" });
  const found = h("div");
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = search.value.trim();
      if (!text) return found.replaceChildren();
      if (!navigator.onLine) return mount(found, h("p.muted", "离线：需要联网才能查找人员。"));
      mount(found, await others(text, new Set(), { record: false }));
    }, 300);
  });
  mount(app.view,
    h("h2", "首页"),
    h("p.card", `您的角色（${roles}）不做入户走访，这里没有走访任务。`),
    h("div.actions",
      session.can("followups.handle") ? h("a.button.primary.big", { href: "#/followups" }, "我的跟进") : null,
      h("a.button", { href: "#/inbox" }, "消息"),
      h("a.button", { href: "/console/" }, "打开工作台（电脑上办理）")),
    session.can("persons.read")
      ? h("section.card", h("h3", "查找人员"), h("div.search", h("label.sr-only", { for: search.id }, "按姓名查找"), search), found)
      : null);
}

export async function todayView({ app, profile, params }) {
  // Only roles that record checks have a task list: the others would only be refused it.
  if (!session.can("checks.record")) return startView({ app, params });
  const status = h("p.muted.small", { role: "status" });
  const list = h("div");
  const search = h("input", { type: "search", name: "q", placeholder: "输入姓名查找", autocomplete: "off", value: params.get("q") || "" });
  const refresh = h("button", { type: "button" }, "刷新");
  mount(app.view,
    h("div.row", h("h2.grow", "今日任务"), refresh),
    status,
    h("div.search", h("label.sr-only", { for: "task-search" }, "按姓名查找"), Object.assign(search, { id: "task-search" })),
    list);

  let entry = await cached("tasks");
  const draw = async () => {
    const data = entry ? entry.value : { items: [] };
    const since = Date.now() - 24 * 3600 * 1000;
    const recorded = await recordedHere(since, profile.accountId);
    const text = search.value.trim();
    const items = data.items.filter((t) => !text || t.personName.includes(text));
    status.textContent = entry
      ? `更新于 ${formatTime(entry.refreshedAt)}（${relative(entry.refreshedAt)}）· 共 ${new Set(data.items.map((t) => t.personId)).size} 人待走访`
        + (navigator.onLine ? "" : " · 离线：显示本机保存的名单")
      : navigator.onLine ? "正在加载…" : "离线，本机还没有保存任务名单：请联网后打开一次。";
    mount(list, renderGroups(items, recorded));
    if (text && navigator.onLine) list.append(await others(text, new Set(items.map((t) => t.personId))));
  };
  search.addEventListener("input", () => draw());
  refresh.addEventListener("click", async () => {
    refresh.disabled = true;
    try {
      await app.sync({ quiet: true });
      entry = { value: await refreshTasks(profile), refreshedAt: new Date().toISOString() };
      await draw();
      toast("任务已刷新");
    } catch (e) {
      toast(e.offline ? "离线，无法刷新" : `刷新失败：${e.message}`, "bad");
    } finally {
      refresh.disabled = false;
    }
  });
  await draw();
  if (navigator.onLine) {
    try {
      entry = { value: await refreshTasks(profile), refreshedAt: new Date().toISOString() };
      await draw();
    } catch (e) {
      if (!e.offline) status.textContent = `刷新失败：${e.message}`;
    }
  }
}

function renderGroups(items, recorded) {
  if (!items.length) {
    return h("p.card", "没有到期的走访任务。", myKinds().includes("teacher_home_visit") ? h("span.muted", " 家访：在上方输入学生姓名查找后记录。") : null);
  }
  // Unit → household → person → obligations, in the order of each group's nearest due time.
  const units = new Map();
  for (const task of items) {
    const unitKey = task.unitId;
    if (!units.has(unitKey)) units.set(unitKey, { title: task.villageName === task.unitName ? task.unitName : `${task.villageName} · ${task.unitName}`, households: new Map() });
    const households = units.get(unitKey).households;
    const householdKey = task.householdId || `person:${task.personId}`;
    if (!households.has(householdKey)) {
      households.set(householdKey, { code: task.householdCode, address: task.address, people: new Map() });
    }
    const people = households.get(householdKey).people;
    if (!people.has(task.personId)) people.set(task.personId, { task, rules: [] });
    people.get(task.personId).rules.push(task);
  }
  const now = Date.now();
  return [...units.values()].map((unit) =>
    h("section.group", h("h3", unit.title),
      [...unit.households.values()].map((household) =>
        h("div.card.household",
          household.address || household.code ? h("p.addr", [household.code ? `户 ${household.code}` : null, household.address].filter(Boolean).join(" · ")) : null,
          [...household.people.values()].map(({ task, rules }) => personRow(task, rules, recorded.get(task.personId), now))))));
}

function personRow(task, rules, recorded, now) {
  const years = ageOf(task.birthDate, task.birthYear);
  const late = rules.some((r) => Date.parse(r.nextDueAt) < now);
  const seen = recorded && !["not_home", "away"].includes(recorded.payload.outcome);
  return h(`div.person${seen ? ".done" : ""}`,
    h("div.who",
      h("a.name", { href: `#/person/${task.personId}` }, task.personName),
      h("span.muted.small", ` ${vocab.sex[task.sex] || ""} ${years === null ? "" : `${years}岁`} `),
      task.categories.map((c) => h("span.badge", vocab.categories[c] || c)), " ",
      task.riskLevel === "high" ? h("span.badge.bad", "高风险") : task.riskLevel === "attention" ? h("span.badge.warn", "关注") : null,
      rules.map((r) => {
        const overdue = Date.parse(r.nextDueAt) < now;
        return h(`div.due${overdue ? ".late" : ""}`,
          `${r.description}：${overdue ? `已逾期 ${relative(r.nextDueAt).replace("前", "")}` : `${formatTime(r.nextDueAt)} 前`}`,
          h("span.muted", ` · 上次 ${r.lastCheckAt ? formatTime(r.lastCheckAt) : "从未"}`));
      }),
      recorded ? h("div", h(`span.badge.${seen ? "ok" : "warn"}`, `${seen ? "已记录" : `已敲门 · ${vocab.outcomes[recorded.payload.outcome]}`}${recorded.state === "pending" ? " · 待上传" : ""}`)) : null),
    h("a.button.primary.record-button", { href: `#/record/${task.personId}?kind=${pickKind(task)}`, "aria-label": `记录 ${task.personName} 的走访` },
      late ? "记录 ⚠" : "记录"));
}

function pickKind(task) {
  return task.checkKinds[0];
}

async function others(text, shown, { record = true } = {}) {
  try {
    const found = await get(`/v1/persons${query({ q: text, status: "active", limit: 20 })}`);
    const rest = (found.items || []).filter((p) => !shown.has(p.id));
    if (!rest.length) return h("p.muted", record ? "没有找到其他人员。" : "没有找到。");
    const rows = rest.map((p) => h("div.person",
      h("div.who", h("a.name", { href: `#/person/${p.id}` }, p.file ? p.file.name : p.name)),
      record ? h("a.button", { href: `#/record/${p.id}` }, "记录") : null));
    return record ? h("section.group", h("h3", "其他人员（不在今日任务中）"), h("div.card", rows)) : h("div", rows);
  } catch (e) {
    return h("p.muted", e.offline ? "离线：需要联网才能查找人员。" : `查找失败：${e.message}`);
  }
}
