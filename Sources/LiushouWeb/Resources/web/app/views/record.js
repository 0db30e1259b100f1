// 记录走访: a check or visit in a few taps. The record gets its client id here, once, and waits in
// the outbox; the same screen works online and offline.
import { h, mount, field, showFieldErrors, toast, localInputValue } from "../../shared/ui.js";
import { get, isSecondFactorDue } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as session from "../../shared/session.js";
import { cached, keep, outbox, newId, db } from "../data.js";

/** The check kinds the caller's roles make (as the server decides). */
export function myKinds() {
  const roles = new Set(session.roles());
  const kinds = [];
  if (["village_cadre", "child_welfare_supervisor", "town_admin", "county_admin"].some((r) => roles.has(r))) kinds.push("cadre_visit");
  if (["grid_worker", "village_cadre"].some((r) => roles.has(r))) kinds.push("grid_knock");
  if (roles.has("volunteer")) kinds.push("volunteer_visit");
  if (roles.has("school_staff")) kinds.push("teacher_home_visit");
  return kinds;
}

/** What the app knows of a person without the network: today's tasks, then a viewed file. */
export async function personBrief(id) {
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  let pairingId = null;
  let pairedName = null;
  const volunteer = await cached("volunteer");
  for (const pairing of (volunteer && volunteer.value.pairings) || []) {
    for (const person of pairing.people || []) {
      if (same(person.personId, id) && pairing.status === "active") {
        pairingId = pairing.id;
        pairedName = person.name;
      }
    }
  }
  const tasks = await cached("tasks");
  const task = tasks && tasks.value.items.find((t) => same(t.personId, id));
  if (task) return { name: task.personName, address: task.address, unit: task.unitName, kinds: task.checkKinds, pairingId };
  const file = await cached(`person:${id}`);
  if (file) return { name: file.value.file.name, address: file.value.file.currentAddress, unit: "", kinds: [], pairingId };
  if (pairingId) return { name: pairedName, kinds: ["volunteer_visit"], pairingId };
  if (navigator.onLine) {
    try {
      const record = await get(`/v1/persons/${id}`);
      await keep(`person:${id}`, record, session.profile().accountId);
      return { name: record.file.name, address: record.file.currentAddress, unit: "", kinds: [] };
    } catch (e) {
      // Not there (or not the caller's), or the network went: nothing known. Any other refusal is the caller's to read.
      if (e.status === 404 || e.offline) return null;
      throw e;
    }
  }
  return null;
}

function chips(name, options, { type = "radio", selected = [], legend }) {
  return h("fieldset.chips", h("legend", legend),
    Object.entries(options).map(([value, label]) => h("label.chip",
      h("input", { type, name, value, checked: selected.includes(value) }), h("span", label))));
}

export async function recordView({ app, id, params, profile }) {
  let person = null;
  let failure = null;
  try {
    person = await personBrief(id);
  } catch (e) {
    // A code owed or a session ended: the app's own handlers take over.
    if (isSecondFactorDue(e) || e.status === 401) return;
    failure = e;
  }
  if (!person) {
    const why = failure
      ? failure.status === 403 ? "您无权查看或记录此人。" : `暂时无法读取此人的资料：${failure.message}。请稍后再试。`
      : navigator.onLine ? "没有找到此人（可能已销档），或此人不在您负责的范围内。" : "本机没有这个人的资料，请联网后从今日任务进入。";
    mount(app.view, h("p.banner.bad", { role: "alert" }, why), h("a.button", { href: "#/today" }, "返回今日任务"));
    return;
  }
  // 重新填写 of a record the server refused: its content fills the form, its refusal is shown, and
  // saving replaces it (the refused record stays in 待上传 until then).
  const from = params.get("from");
  const earlier = from ? await db.get("outbox", from) : null;
  const redo = earlier && earlier.accountId === profile.accountId && ["rejected", "conflict"].includes(earlier.state)
    && String(earlier.payload.personId).toLowerCase() === String(id).toLowerCase() ? earlier : null;
  const before = redo ? redo.payload : {};
  const kinds = myKinds();
  let kind = params.get("kind") || (redo && (redo.kind === "volunteer-visit" ? "volunteer_visit" : before.kind));
  if (!kinds.includes(kind)) kind = kinds.find((k) => (person.kinds || []).includes(k)) || kinds[0];
  const pairingId = params.get("pairing") || before.pairingId || person.pairingId || null;
  if (!kind) {
    mount(app.view, h("p.banner.bad", "您的角色不能记录走访。"));
    return;
  }
  const isVolunteerVisit = kind === "volunteer_visit";
  if (isVolunteerVisit && !pairingId) {
    mount(app.view, h("p.banner.warn", "志愿者走访请从“我的结对”进入，以便记到对应的结对。"), h("a.button", { href: "#/pairings" }, "我的结对"));
    return;
  }
  const earlierTime = before.occurredAt ? new Date(before.occurredAt) : null;
  const when = h("input", { type: "datetime-local", name: "occurredAt", value: localInputValue(earlierTime || undefined),
    max: localInputValue(new Date(Date.now() + 540000)) });
  const notes = h("textarea", { name: "notes", maxlength: 2000, rows: 3, placeholder: "可用输入法的语音输入" }, before.notes || "");
  const located = h("input", { type: "checkbox", name: "withLocation" });
  const needsBox = chips("needs", vocab.needs, { type: "checkbox", legend: "需求（可多选）", selected: before.needs || [] });
  needsBox.hidden = !["needs_follow_up", "urgent"].includes(before.outcome);
  const activitiesBox = isVolunteerVisit
    ? chips("activities", vocab.activities, { type: "checkbox", legend: "做了什么（可多选）", selected: before.activities || [] }) : null;
  const duration = isVolunteerVisit
    ? h("input", { type: "number", name: "durationMinutes", min: 1, max: 720, value: before.durationMinutes || 60, inputmode: "numeric" }) : null;
  const refusal = redo ? h("div.banner.warn", { role: "status" }, "重新填写未能上传的记录：",
    redo.state === "conflict" ? "服务器上已有同一编号但内容不同的记录。" : "",
    (redo.errors || []).map((e) => h("div", `${e.field ? `${vocab.recordFields[e.field] || e.field}：` : ""}${vocab.message(e.message)}`)),
    "保存后，这条新记录会替换原记录。") : null;
  const error = h("p.field-error", { role: "alert" });
  const save = h("button.primary.big", { type: "submit" }, "保存");
  const form = h("form", { novalidate: true },
    h("h2", `记录：${person.name}`),
    h("p.muted.small", [person.unit, person.address].filter(Boolean).join(" · ")),
    refusal,
    kinds.length > 1 ? chips("kind", Object.fromEntries(kinds.map((k) => [k, vocab.checkKinds[k]])), { selected: [kind], legend: "走访类型" }) : h("p", h("span.badge", vocab.checkKinds[kind])),
    h("fieldset.chips.outcomes", h("legend", "情况"),
      // A volunteer's visit is time spent with the person: nobody home is not one.
      Object.entries(vocab.outcomes).filter(([value]) => !isVolunteerVisit || !["not_home", "away"].includes(value)).map(([value, label]) => h("label.chip", h("input", { type: "radio", name: "outcome", value, required: true, checked: before.outcome === value }), h("span", label)))),
    h("p.field-error", { id: "outcome-error", role: "alert" }),
    needsBox,
    h("p.field-error", { id: "needs-error", role: "alert" }),
    chips("channel", vocab.channels, { selected: [before.channel || "in_person"], legend: "方式" }),
    activitiesBox, activitiesBox ? h("p.field-error", { id: "activities-error", role: "alert" }) : null,
    duration ? field("时长（分钟）", duration) : null,
    field("备注（简短）", notes),
    field("发生时间", when, { hint: "默认是现在；补记时请改成实际时间" }),
    h("div.field", h("label.row.check", located, "附上当前位置（需要您同意浏览器获取位置）")),
    error,
    h("div.actions", save, h("a.button", { href: "#/today" }, "取消")));
  form.addEventListener("change", (event) => {
    if (event.target.name === "outcome") {
      needsBox.hidden = !["needs_follow_up", "urgent"].includes(event.target.value);
      if (needsBox.hidden) for (const box of needsBox.querySelectorAll("input")) box.checked = false;
    }
    if (event.target.name === "kind") app.go(`#/record/${id}?kind=${event.target.value}${pairingId ? `&pairing=${pairingId}` : ""}${redo ? `&from=${redo.id}` : ""}`);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const outcome = data.get("outcome");
    const needs = data.getAll("needs");
    const errors = {};
    for (const box of form.querySelectorAll("p.field-error[id$='-error']")) if (!box.closest(".field")) box.textContent = "";
    if (!outcome) document.getElementById("outcome-error").textContent = "请选择情况";
    if (["needs_follow_up", "urgent"].includes(outcome) && !needs.length) document.getElementById("needs-error").textContent = "请选择至少一项需求";
    const occurred = new Date(when.value);
    if (!when.value || Number.isNaN(occurred.getTime())) errors.occurredAt = "请填写时间";
    else if (occurred.getTime() > Date.now() + 540000) errors.occurredAt = "不能晚于现在";
    else if (occurred.getTime() < Date.now() - 59 * 86400000) errors.occurredAt = "不能早于 60 天前";
    const activities = data.getAll("activities");
    if (isVolunteerVisit && !activities.length) document.getElementById("activities-error").textContent = "请选择至少一项";
    if (isVolunteerVisit && !(Number(duration.value) >= 1 && Number(duration.value) <= 720)) errors.durationMinutes = "请填写 1 至 720 分钟";
    showFieldErrors(form, errors);
    if (!outcome || Object.keys(errors).length || (["needs_follow_up", "urgent"].includes(outcome) && !needs.length)
      || (isVolunteerVisit && !activities.length)) return;
    save.disabled = true;
    const payload = {
      id: newId(), personId: id, occurredAt: occurred.toISOString().replace(/\.\d{3}Z$/, "Z"), channel: data.get("channel") || "in_person",
      outcome, needs, notes: notes.value.trim() || undefined,
    };
    if (located.checked) {
      const position = await locate();
      if (position) Object.assign(payload, position);
      else toast("未能获取位置，记录不含位置");
    }
    if (isVolunteerVisit) Object.assign(payload, { pairingId, activities, durationMinutes: Number(duration.value) });
    else payload.kind = kind;
    const summary = `${person.name} · ${vocab.checkKinds[kind]} · ${vocab.outcomes[outcome]}${needs.length ? `（${needs.map((n) => vocab.needs[n]).join("、")}）` : ""}`;
    await outbox.add(isVolunteerVisit ? "volunteer-visit" : "door-check", payload, profile.accountId, summary);
    if (redo) await db.delete("outbox", redo.id);
    toast(navigator.onLine ? "已保存，正在上传" : "已保存在本机，联网后自动上传");
    app.go(isVolunteerVisit ? "#/pairings" : "#/today");
    app.sync({ quiet: false });
  });
  mount(app.view, form);
}

function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve(null);
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ latitude: Number(p.coords.latitude.toFixed(5)), longitude: Number(p.coords.longitude.toFixed(5)) }),
      () => resolve(null), { timeout: 8000, maximumAge: 300000 });
  });
}
