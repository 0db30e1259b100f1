// 救助案件: one case with its details, its history and the steps the caller may take next. Every
// step sends If-Match with the case's version and an Idempotency-Key made once per click (kept for a
// retry after a network failure), and its button stays disabled while the request runs.
import { h, mount, field, showFieldErrors, toast, formatTime } from "../../shared/ui.js";
import { api } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import * as R from "./relief-common.js";

/** What each step asks for: the fields of its form and whether the comment is required. */
const STEPS = {
  review: { comment: "评议意见（可选）" },
  approve: { amount: "批准金额（元）", comment: "审批意见（可选）" },
  reject: { comment: "不予批准的理由", required: true },
  pay: { amount: "发放金额（元）", paidOn: true, channel: true },
  close: {},
  withdraw: { comment: "撤回原因", required: true },
  appeal: { comment: "申请复核的理由", required: true },
};

const DONE = {
  review: "已提交村级评议，案件报乡镇审批。", approve: "已批准。", reject: "已作出不予批准的决定。", pay: "已登记发放。",
  close: "已结案。", withdraw: "已撤回申请。", appeal: "已申请复核，案件回到乡镇审批。",
};

async function loadCase(id) {
  const response = await api("GET", `/v1/relief/cases/${id}`);
  return response.data;
}

export async function reliefCaseView({ app, id }) {
  let reliefCase;
  try {
    reliefCase = await loadCase(id);
  } catch (error) {
    if (![403, 404].includes(error.status)) throw error;
    mount(app.view, h("h1", "救助案件"), h("p.banner.bad", { role: "alert" }, R.failure(error)), h("p", h("a", { href: "#/relief" }, "返回案件看板")));
    return;
  }
  // Typed values and pending idempotency keys outlive a reload of the case (after a 412).
  const page = { drafts: {}, pending: {}, notice: null };
  render(app, reliefCase, page);
}

function render(app, c, page) {
  const steps = (c.allowedActions || []).map((action) => stepForm(app, c, page, action));
  const notice = page.notice ? h(`p.banner.${page.notice.kind}`, { role: page.notice.kind === "ok" ? "status" : "alert", id: "case-notice" }, page.notice.text) : null;
  page.notice = null;
  mount(app.view,
    h("p.crumbs", h("a", { href: "#/relief" }, "帮扶救助"), " › 案件"),
    h("h1", `救助案件：${c.personName || "（人员）"} · ${c.typeName}`),
    h("div.row.case-status", R.stateBadge(c.state), R.deadlineBadge(c), c.urgency === "emergency" ? h("span.badge.bad", "紧急") : null,
      h("span.muted", `版本 ${c.version}`)),
    notice,
    details(c),
    h("section.card.no-print", { "aria-labelledby": "steps-h" }, h("h2", { id: "steps-h" }, "办理"),
      steps.length ? h("div.relief-steps", steps) : h("p.muted", "你的角色在此阶段没有可办理的操作。")),
    history(c));
  fillVillage(c);
}

function details(c) {
  const pairs = [
    ["申请人", c.personId ? h("a", { href: `#/persons/${c.personId}` }, c.personName || "查看档案") : "—"],
    ["村", h("span", { id: "case-village" }, "…")],
    ["救助类型", c.typeName], ["紧急程度", R.urgencies[c.urgency] || c.urgency],
    ["申请金额", R.yuan(c.amountRequestedFen)], ["批准金额", R.yuan(c.amountGrantedFen)],
    ["发放金额", R.yuan(c.paidAmountFen)], ["发放日期", c.paidOn || "—"], ["发放渠道", R.channels[c.paymentChannel] || "—"],
    ["来源", R.sources[c.source] || c.source], ["经办人", c.raisedByName],
    ["提交时间", formatTime(c.submittedAt)], ["审批时限", `${formatTime(c.decisionDueAt)}`],
    ["审批时间", c.decidedAt ? formatTime(c.decidedAt) : "—"], ["审批意见", c.decisionReason || "—"],
    ["复核次数", `${c.appeals} / 1`], ["结案时间", c.closedAt ? formatTime(c.closedAt) : "—"],
    ["证明材料", c.documents.length ? c.documents.join("、") : "—"],
  ];
  return h("section.file-section", { "aria-labelledby": "details-h" }, h("h2", { id: "details-h" }, "案件信息"),
    h("p.need", h("strong", "困难情况："), c.need),
    h("dl.pairs", pairs.map(([k, v]) => [h("dt", k), h("dd", v)])));
}

async function fillVillage(c) {
  const name = await units.name(c.villageId);
  const box = document.getElementById("case-village");
  if (box) box.textContent = name;
}

function history(c) {
  const items = (c.transitions || []).map((t) => h("li.card", { dataset: { action: t.action } },
    h("div.row", h("strong", R.actionNames[t.action] || t.action), h("span.muted", `${R.states[t.fromState] || t.fromState} → ${R.states[t.toState] || t.toState}`)),
    h("p.small", `${t.actorName}（${vocab.roles[t.actorRole] || t.actorRole}）· ${formatTime(t.at)}`),
    t.amountFen ? h("p", `金额：${R.yuan(t.amountFen)}${t.paidOn ? `，${t.paidOn} 经${R.channels[t.channel] || t.channel}发放` : ""}`) : null,
    t.comment ? h("p", `意见：${t.comment}`) : null));
  return h("section", { "aria-labelledby": "history-h" }, h("h2", { id: "history-h" }, "办理记录"),
    h("ol.queue.relief-history", h("li.card", h("div.row", h("strong", "提交申请"), h("span.muted", R.states.submitted)),
      h("p.small", `${c.raisedByName} · ${formatTime(c.submittedAt)}`)), items));
}

/** A control that keeps what is typed in `page.drafts` so a reload does not lose it. */
function kept(page, action, name, control, initial = "") {
  const key = `${action}.${name}`;
  control.value = page.drafts[key] ?? initial;
  control.addEventListener("input", () => { page.drafts[key] = control.value; });
  control.addEventListener("change", () => { page.drafts[key] = control.value; });
  return control;
}

function stepForm(app, c, page, action) {
  const spec = STEPS[action] || {};
  const controls = [];
  if (spec.amount) {
    const initial = action === "pay" ? R.yuanInput(c.amountGrantedFen) : R.yuanInput(c.amountRequestedFen);
    controls.push(field(spec.amount, kept(page, action, "amountFen", h("input", { name: "amountFen", inputmode: "decimal", autocomplete: "off", required: true }), initial),
      { hint: action === "pay" ? `不超过批准金额 ${R.yuan(c.amountGrantedFen)}` : `申请金额 ${R.yuan(c.amountRequestedFen)}` }));
  }
  if (spec.paidOn) controls.push(field("发放日期", kept(page, action, "paidOn", h("input", { name: "paidOn", type: "date", max: R.todayChina(), required: true }), R.todayChina())));
  if (spec.channel) controls.push(field("发放渠道", kept(page, action, "channel", R.choice("channel", R.channels), "bank_transfer")));
  if (spec.comment) controls.push(field(spec.comment, kept(page, action, "comment", h("textarea", { name: "comment", maxlength: 2000, rows: 2, required: spec.required ? true : null }))));
  const button = h(`button.${["reject", "withdraw"].includes(action) ? "danger" : "primary"}`, { type: "submit", dataset: { action } }, R.actions[action]);
  const form = h("form.card.relief-step", { novalidate: true, dataset: { action }, "aria-label": R.actions[action] },
    h("h3", R.actionNames[action]), controls.length ? h("div.grid", controls) : null, h("div.row", button));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitStep(app, c, page, action, form, button);
  });
  return form;
}

/** The request body of a step from its form, or field errors found before sending. */
function stepBody(action, form) {
  const body = { action };
  const errors = {};
  const value = (name) => (form.querySelector(`[name="${name}"]`) || {}).value;
  const comment = (value("comment") || "").trim();
  if (comment) body.comment = comment;
  else if (STEPS[action].required) errors.comment = "请填写理由";
  if (STEPS[action].amount) {
    const fen = R.fenFrom(value("amountFen") || "");
    if (fen === null || fen < 1) errors.amountFen = "请填写金额，如 500 或 500.50";
    else body.amountFen = fen;
  }
  if (STEPS[action].paidOn) {
    if (value("paidOn")) body.paidOn = value("paidOn");
    else errors.paidOn = "必填";
    body.channel = value("channel");
  }
  return { body, errors };
}

async function submitStep(app, c, page, action, form, button) {
  if (button.disabled) return;
  const { body, errors } = stepBody(action, form);
  if (Object.keys(errors).length) {
    showFieldErrors(form, errors);
    return;
  }
  // One key per click; a retry of the same step with the same content (after a network failure) reuses it.
  const text = JSON.stringify(body);
  const previous = page.pending[action];
  const key = previous && previous.text === text && previous.version === c.version ? previous.key : crypto.randomUUID();
  page.pending[action] = { key, text, version: c.version };
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    const result = (await api("POST", `/v1/relief/cases/${c.id}/transitions`, { body, ifMatch: c.version, idempotencyKey: key })).data;
    delete page.pending[action];
    for (const k of Object.keys(page.drafts)) if (k.startsWith(`${action}.`)) delete page.drafts[k];
    page.notice = { kind: "ok", text: result.replayed ? "此操作此前已办理，未重复办理。" : DONE[action] };
    render(app, await loadCase(c.id), page);
  } catch (error) {
    if (!error.transient) delete page.pending[action];
    button.disabled = false;
    button.removeAttribute("aria-busy");
    await handleStepError(app, c, page, action, form, error);
  }
}

async function handleStepError(app, c, page, action, form, error) {
  if (error.status === 422 && error.problem.code !== "idempotency_key_reused") {
    const rest = showFieldErrors(form, error.fields, R.message);
    if (rest.length) toast(`请修改：${rest.join("；")}`, "bad");
    return;
  }
  if (error.transient) {
    toast(`${R.failure(error)}再次点击将重试，不会重复办理。`, "bad");
    return;
  }
  const text = error.status === 412 ? "此案件刚被他人更新（版本已变化），下面是最新状态；你填写的内容已保留，请核对后再办理。"
    : error.status === 409 && error.problem.code === "appeal_used" ? "此案件已申请过一次复核，不能再次申请。"
    : error.status === 409 && error.problem.code === "duplicate_open_case" ? "此人已有同类在办案件，不能申请复核。"
    : error.status === 409 ? "案件状态已变化，此操作已不可办理；下面是最新状态。"
    : R.failure(error);
  page.notice = { kind: error.status === 412 ? "warn" : "bad", text };
  try {
    render(app, await loadCase(c.id), page);
  } catch (reloadError) {
    toast(R.failure(reloadError), "bad");
  }
}
