// A person's file (一人一档) with tabs: file, timeline, checks and obligations, health, pairings,
// relief, legal aid, school roll, counselling, field history. Each tab shows only what the API
// lets the caller see; reveal (with a reason), exit and re-activate, the contact card, print.
import { h, mount, field, showFieldErrors, toast, formatTime } from "../../shared/ui.js";
import { api, get, post, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { anything, recordsTable, cell } from "../generic.js";
import { getPath, text } from "../paths.js";
import { LABELS } from "./person-form.js";

const TABS = [
  { key: "file", label: "档案" },
  { key: "timeline", label: "时间线" },
  { key: "checks", label: "走访与义务" },
  { key: "health", label: "健康" },
  { key: "pairings", label: "结对帮扶", any: ["pairings.read"] },
  { key: "relief", label: "救助", any: ["relief.read"] },
  { key: "legal", label: "法律援助" },
  { key: "school", label: "学籍", any: ["schools.read"] },
  { key: "counselling", label: "心理关爱" },
  { key: "history", label: "修改记录" },
];

function section(title, rows) {
  const shown = rows.filter(([, v]) => v !== "" && v !== null && v !== undefined);
  if (!shown.length) return null;
  return h("section.file-section", h("h3", title), h("dl.pairs", shown.map(([k, v]) => [h("dt", k), h("dd", v)])));
}

function fileSections(p, villageName, gridName) {
  const L = (path) => [LABELS[path] || path, text(getPath(p, path))];
  const code = (dict, path) => [LABELS[path] || path, dict[getPath(p, path)] || text(getPath(p, path))];
  const child = p.child || {};
  return [
    section("基本信息", [["姓名", p.name], code(vocab.sex, "sex"), p.birthDate ? L("birthDate") : ["出生年", p.birthYear], L("idNumber"), L("ethnicity"), L("phone"),
      ["人员类别", (p.categories || []).map((c) => `${vocab.categories[c.category] || c.category}（${c.startedOn} 起${c.endedOn ? `，${c.endedOn} 止` : ""}）`).join("；")],
      ["村", villageName], ["网格", gridName], L("householdRegistration"), L("currentAddress"), code(vocab.risk, "riskLevel"),
      ["状态", vocab.personStatuses[p.status] || p.status], p.exit ? ["销档", `${vocab.exitReasons[p.exit.reason] || p.exit.reason} ${p.exit.exitedOn || ""}`] : ["", ""]]),
    section("健康与收入", [code(vocab.healthStatuses, "health.status"), L("health.disabilityType"), L("health.disabilityGrade"), L("health.illness"), L("incomeSource"),
      ["救助情况", (p.assistance || []).map((a) => vocab.assistanceKinds[a] || a).join("、")]]),
    p.child ? section("儿童情况", [code(vocab.schoolStages, "child.schoolStage"), ["是否寄宿", child.boarding === true ? "是" : child.boarding === false ? "否" : ""],
      code(vocab.parentsAway, "child.parentsAway"), code(vocab.guardianshipTypes, "child.guardianshipType"), code(vocab.guardianshipAssessments, "child.guardianshipAssessment")]) : null,
    p.child ? section("委托监护人", child.guardian ? [L("child.guardian.name"), L("child.guardian.relationship"), L("child.guardian.phone"), L("child.guardian.idNumber"), L("child.guardian.address"), L("child.guardianshipConfirmedOn")]
      : [["委托监护人", "未登记（提醒：16 岁以下儿童须有监护人）"]]) : null,
    p.woman ? section("留守妇女情况", [L("woman.employment"), L("woman.trainingNeeds")]) : null,
    p.elder ? section("留守老人情况", [code(vocab.livingArrangements, "elder.livingArrangement"), code(vocab.selfCare, "elder.selfCare"), L("elder.chronicIllness")]) : null,
    (p.migrantFamily || []).length ? h("section.file-section", h("h3", "外出亲属"), recordsTable(p.migrantFamily.map((m) => ({ ...m, relationship: vocab.relationships[m.relationship] || m.relationship })), "外出亲属",
      ["name", "relationship", "phone", "workProvince", "workCity", "employer"]).cloneNode(true)) : null,
    section("包保与备注", [L("responsibleCadre.name"), L("responsibleCadre.phone"), L("notes"), ["建档时间", formatTime(p.createdAt)], ["最后修改", formatTime(p.updatedAt)], ["版本", p.version]]),
  ];
}

export async function personView({ app, id, params }) {
  const tab = TABS.some((t) => t.key === params.get("tab")) ? params.get("tab") : "file";
  const reveal = params.get("reveal") === "1" ? sessionStorage.getItem(`reveal:${id}`) : null;
  let response;
  try {
    response = await api("GET", `/v1/persons/${id}${reveal ? query({ reveal: "identifiers", reason: reveal }) : ""}`);
  } catch (error) {
    if (error.status === 404) {
      mount(app.view, h("h1", "找不到档案"), h("p.banner.warn", "此档案不存在，或不在你的工作范围内。"), h("a.button", { href: "#/persons" }, "返回列表"));
      return;
    }
    throw error;
  }
  const record = response.data;
  const p = { ...record.file, birthYear: record.birthYear, id: record.id, version: record.version, status: record.status, createdAt: record.createdAt, updatedAt: record.updatedAt,
    exit: record.exitReason ? { reason: record.exitReason, exitedOn: record.exitedOn } : null };
  const etag = (response.headers.get("etag") || String(p.version)).replaceAll('"', "");
  const [villageName, gridName] = await Promise.all([units.name(p.villageId), p.gridId ? units.name(p.gridId) : ""]);
  const visible = TABS.filter((t) => !t.any || t.any.some(can));
  const panel = h("div.tab-panel", { role: "tabpanel", id: "tab-panel", "aria-labelledby": `tab-${tab}`, tabindex: "0" });
  const tabs = h("div.tabs.no-print", { role: "tablist", "aria-label": "档案分页" }, visible.map((t) => h("a", {
    role: "tab", id: `tab-${t.key}`, href: `#/persons/${id}?tab=${t.key}${reveal ? "&reveal=1" : ""}`, "aria-selected": String(t.key === tab), "aria-controls": "tab-panel",
  }, t.label)));

  const actions = h("div.row.no-print.actions",
    can("persons.write") && p.status === "active" ? h("a.button.primary", { href: `#/persons/${id}/edit` }, "编辑") : null,
    // With the full numbers once they are revealed here (the card's reveal is audited with the same reason).
    h("a.button", { href: `/v1/persons/${id}/contact-card${reveal ? query({ reveal: "identifiers", reason: reveal }) : ""}`, target: "_blank", rel: "noopener" },
      reveal ? "联系卡（打印，完整号码）" : "联系卡（打印）"),
    h("button", { type: "button", onclick: () => print() }, "打印档案"),
    can("identifiers.reveal") && !reveal ? h("button", { type: "button", id: "reveal-open", onclick: () => { revealBox.hidden = false; revealReason.focus(); } }, "查看完整号码") : null,
    reveal ? h("a.button", { href: `#/persons/${id}?tab=${tab}` }, "重新掩码") : null,
    can("persons.write") && p.status === "active" ? h("button", { type: "button", onclick: () => { exitBox.hidden = false; } }, "销档") : null,
    can("persons.write") && p.status === "exited" ? h("button", { type: "button", id: "reactivate", onclick: reactivate }, "恢复在档") : null);

  const revealReason = h("input", { name: "reason", minlength: 4, maxlength: 200 });
  const revealBox = h("form.card.no-print", { hidden: true, novalidate: true, "aria-label": "查看完整号码" },
    h("p", "查看完整身份号码和电话会被记入审计日志。请说明原因（至少 4 个字）。"),
    field("查看原因", revealReason), h("div.row", h("button.primary", { type: "submit" }, "查看"), h("button", { type: "button", onclick: () => { revealBox.hidden = true; } }, "取消")));
  revealBox.addEventListener("submit", (event) => {
    event.preventDefault();
    if (revealReason.value.trim().length < 4) {
      showFieldErrors(revealBox, { reason: "请说明原因（至少 4 个字）" });
      return;
    }
    sessionStorage.setItem(`reveal:${id}`, revealReason.value.trim());
    app.go(`#/persons/${id}?tab=${tab}&reveal=1`);
  });

  const exitReason = h("select", { name: "reason" }, Object.entries(vocab.exitReasons).map(([k, v]) => h("option", { value: k }, v)));
  const exitedOn = h("input", { name: "exitedOn", type: "date", value: new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10) });
  const exitBox = h("form.card.no-print", { hidden: true, novalidate: true, "aria-label": "销档" },
    h("p", "销档不会删除档案，可随时恢复。"), h("div.grid", field("销档原因", exitReason), field("销档日期", exitedOn)),
    h("div.row", h("button.danger", { type: "submit" }, "确认销档"), h("button", { type: "button", onclick: () => { exitBox.hidden = true; } }, "取消")));
  exitBox.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`/v1/persons/${id}/exit`, { reason: exitReason.value, exitedOn: exitedOn.value }, { ifMatch: etag });
      toast("已销档");
      app.render();
    } catch (error) {
      if (error.status === 422) showFieldErrors(exitBox, error.fields, vocab.message);
      else if (error.status === 412) toast("档案已被他人修改，已重新载入", "bad"), app.render();
      else toast(`销档失败：${error.message}`, "bad");
    }
  });
  async function reactivate() {
    try {
      await post(`/v1/persons/${id}/reactivate`, undefined, { ifMatch: etag });
      toast("已恢复在档");
      app.render();
    } catch (error) {
      toast(error.status === 412 ? "档案已被他人修改，请重试" : `恢复失败：${error.message}`, "bad");
      app.render();
    }
  }

  mount(app.view,
    h("p.crumbs.no-print", h("a", { href: "#/persons" }, "人员档案"), " › ", p.name),
    h("h1", p.name, " ", h("span.badge", vocab.personStatuses[p.status] || p.status), " ",
      p.riskLevel && p.riskLevel !== "normal" ? h("span.badge.bad", vocab.risk[p.riskLevel]) : null),
    h("p.muted", `${(p.categories || []).filter((c) => !c.endedOn).map((c) => vocab.categories[c.category]).join("、")} · ${villageName}${gridName ? ` · ${gridName}` : ""}`),
    reveal ? h("p.banner.warn", "正在显示完整号码（已记入审计日志）。") : null,
    record.noCapableGuardian ? h("p.banner.bad", "提醒：此儿童没有有效监护人。") : null,
    record.complete ? null : h("p.banner.warn", `档案不完整，缺少：${(record.missingFields || []).map((f) => LABELS[f] || f).join("、")}`),
    actions, revealBox, exitBox, tabs, panel);

  const loaders = {
    file: async () => fileSections(p, villageName, gridName),
    timeline: async () => {
      const box = h("div");
      let cursor = null;
      const more = h("button", { type: "button", hidden: true }, "更早的记录");
      async function page() {
        const r = await get(`/v1/persons/${id}/timeline${query({ cursor })}`);
        box.append(recordsTable(r.items, "时间线", ["at", "summary", "module", "accountName"]));
        cursor = r.nextCursor || null;
        more.hidden = !cursor;
      }
      more.addEventListener("click", page);
      await page();
      return [box, more];
    },
    checks: async () => {
      const [obligations, checks] = await Promise.all([get(`/v1/persons/${id}/obligations`), get(`/v1/persons/${id}/door-checks`)]);
      return [h("h2", "走访义务"), recordsTable(obligations.items, "走访义务", ["description", "cadenceHours", "lastCheckAt", "nextDueAt", "overdue"]),
        h("h2", "走访记录"), recordsTable(checks.items, "走访记录", ["occurredAt", "kind", "channel", "outcome", "needs", "recorderName", "notes"].filter((k) => checks.items.some((c) => k in c)))];
    },
    health: async () => [h("p.muted", "按你的角色显示：卫生院（室）人员可见诊疗详情，其他角色只见摘要。"), anything(await get(`/v1/persons/${id}/health`), "健康")],
    pairings: async () => anything(await get(`/v1/pairings${query({ personId: id })}`), "结对帮扶"),
    relief: async () => anything(await get(`/v1/relief/cases${query({ personId: id })}`), "救助"),
    legal: async () => [can("legal_aid.read") ? null : h("p.muted", "只显示是否有案件及其阶段，不显示案情。"), anything(await get(`/v1/persons/${id}/legal-cases`), "法律援助")],
    school: async () => anything(await get(`/v1/persons/${id}/enrolments`), "学籍"),
    counselling: async () => [h("p.muted", "详细内容只对本校心理老师和乡镇儿童督导员显示。"), anything(await get(`/v1/persons/${id}/counselling`), "心理关爱")],
    history: async () => {
      const r = await get(`/v1/persons/${id}/history`);
      return recordsTable(r.items.map((c) => ({ ...c, field: LABELS[c.field] || c.field })), "修改记录", ["at", "accountName", "action", "field", "oldValue", "newValue"]);
    },
  };
  const TH = { field: "字段", oldValue: "原值", newValue: "新值", action: "操作" };
  mount(panel, h("p.muted", "正在加载…"));
  try {
    mount(panel, h("h2.sr-only", visible.find((t) => t.key === tab).label), await loaders[tab]());
    for (const th of panel.querySelectorAll("th")) if (TH[th.textContent]) th.textContent = TH[th.textContent];
  } catch (error) {
    mount(panel, h("p.banner.warn", error.status === 403 ? "你的角色不能查看此分页。" : `加载失败：${error.message}`));
  }
  void cell;
}
