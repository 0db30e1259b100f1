// 法律援助案件: one case as the API shows it to the caller, and the workflow's forms — eligibility
// decision, review of a refusal, assignment, first contact, progress notes, closing — each shown only
// when the case's stage and the caller's role on the case's town allow it. Every step sends the
// version read (If-Match); on 412 the fresh case is shown and what the user typed stays.
import { h, mount, field, showFieldErrors, toast, formatTime, localInputValue } from "../../shared/ui.js";
import { api, get, post } from "../../shared/api.js";
import { can, profile } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import {
  stages, urgencies, intakeChannels, bases, modes, outcomes, reviewDecisions, assigneeKinds,
  stageBadge, legalNav, holdsOver, readFailure, codeSelect, chinaToday,
} from "./legal-common.js";

const OPEN = ["intake", "eligible", "refused", "assigned", "in_progress"];

export async function caseView({ app, id }) {
  let record;
  try {
    record = (await api("GET", `/v1/legal-cases/${encodeURIComponent(id)}`)).data;
  } catch (error) {
    mount(app.view, h("h1", "法律援助案件"), legalNav(null),
      h("p.banner.bad", { role: "alert" }, error.status === 400 ? "案件编号格式不正确。" : readFailure(error, "案件")));
    return;
  }
  const officer = await holdsOver(["legal_aid_officer"], record.unitId);
  const townAdmin = await holdsOver(["town_admin"], record.unitId);
  const page = { app, record, officer, handler: officer || townAdmin, details: h("div.legal-details") };
  await render(page);
}

async function render(page) {
  const { app, record } = page;
  await renderDetails(page);
  mount(app.view,
    h("p.crumbs.no-print", h("a", { href: "#/legal" }, "法律援助"), " › 案件"),
    h("h1", `法律援助案件：${record.personName || "（受援人）"}`),
    h("p.row", stageBadge(record.stage), h("span.muted", `案件编号 ${record.id.toLowerCase()}`)),
    progress(record.stage),
    page.details,
    await actionForms(page));
}

/** The workflow's stages as steps, the current one marked. */
function progress(stage) {
  const path = ["intake", stage === "refused" || stage === "refusal_upheld" ? stage : "eligible", "assigned", "in_progress", "closed"];
  const at = path.indexOf(stage);
  return h("ol.legal-steps", { "aria-label": "办理进度" }, path.map((s, i) =>
    h("li", { className: i < at ? "done" : i === at ? "current" : "", "aria-current": i === at ? "step" : null }, stages[s])));
}

function pairs(list) {
  return h("dl.pairs", list.filter(([, value]) => value !== undefined && value !== null && value !== "").map(([term, value]) => [h("dt", term), h("dd", value)]));
}

async function renderDetails(page) {
  const r = page.record;
  const place = await units.name(r.unitId);
  const e = r.eligibility;
  const a = r.assignee;
  mount(page.details,
    h("section.file-section", { "aria-labelledby": "legal-basic-h" }, h("h2", { id: "legal-basic-h" }, "申请情况"),
      pairs([
        ["受援人", r.personName ? (can("persons.read") ? h("a", { href: `#/persons/${r.personId}` }, r.personName) : r.personName) : null],
        ["所在单位", place],
        ["申请方式", r.guardian ? `监护人${r.guardian.name}（${r.guardian.relationship}）代为申请` : "本人申请"],
        ["案由", r.matterName],
        ["紧急程度", urgencies[r.urgency] || r.urgency],
        ["来源", intakeChannels[r.channel] || r.channel],
        ["涉及留守儿童", r.involvesLeftBehindChild ? "是（计入应援尽援率）" : "否"],
        ["受理", `${formatTime(r.openedAt)} · ${r.openedBy}`],
        ["对方当事人", r.parties && r.parties.length ? r.parties.join("、") : "—"],
      ]),
      r.facts ? [h("h3", "案情"), h("p.legal-facts", r.facts)] : null),
    h("section.file-section", { "aria-labelledby": "legal-eligibility-h" }, h("h2", { id: "legal-eligibility-h" }, "援助资格"),
      pairs([
        ["档案支持的依据", r.grounds && r.grounds.length ? r.grounds.map((g) => bases[g] || g).join("；") : "无（档案未显示符合条件）"],
        ["审查决定", e ? (e.decision === "eligible" ? "准予法律援助" : "不予法律援助") : "尚未审查"],
        ["依据", e && e.basis ? bases[e.basis] || e.basis : null],
        ["不予援助理由", e ? e.refusalReason : null],
        ["审查人", e && e.decidedBy ? `${e.decidedBy} · ${formatTime(e.decidedAt)}` : null],
        ["复核", e && e.review ? `${e.review.decision === "overturned" ? "撤销原决定，准予援助" : "维持不予援助"}：${e.review.reason}` : null],
        ["复核人", e && e.review && e.review.reviewedBy ? `${e.review.reviewedBy} · ${formatTime(e.review.reviewedAt)}` : null],
      ])),
    a || r.mode ? h("section.file-section", { "aria-labelledby": "legal-assignee-h" }, h("h2", { id: "legal-assignee-h" }, "承办"),
      pairs([
        ["承办人", a ? `${assigneeKinds[a.kind] || a.kind} ${a.name}` : null],
        ["律师事务所", a ? a.firm : null],
        ["执业证号", a ? a.licenceNumber : null],
        ["指派时间", a ? formatTime(a.assignedAt) : null],
        ["首次联系期限", a ? [formatTime(a.firstContactDue), " ", a.overdue ? h("span.badge.bad", "已逾期") : null] : null],
        ["首次联系", a ? (a.firstContactAt ? formatTime(a.firstContactAt) : "尚未联系") : null],
        ["援助方式", r.mode ? modes[r.mode] || r.mode : null],
      ])) : null,
    r.outcome ? h("section.file-section", { "aria-labelledby": "legal-closing-h" }, h("h2", { id: "legal-closing-h" }, "结案"),
      pairs([["结果", outcomes[r.outcome] || r.outcome], ["结案日期", r.closedOn], ["结案小结", r.closingSummary]])) : null,
    h("section.file-section", { "aria-labelledby": "legal-notes-h" }, h("h2", { id: "legal-notes-h" }, "办理记录"),
      r.notes && r.notes.length ? h("ol.legal-notes", r.notes.map((n) => h("li", { dataset: { id: n.id } },
        h("p.muted.small", `${formatTime(n.at)} · ${n.author}`), h("p.legal-facts", n.body)))) : h("p.muted", "暂无办理记录")));
}

/** The forms the caller may use on this case now. */
async function actionForms(page) {
  const r = page.record;
  if (!can("legal_aid.manage") || !page.handler) {
    return OPEN.includes(r.stage) ? h("p.muted.no-print", "此案件由其所在乡镇的司法所办理，你只能查看。") : null;
  }
  const forms = [];
  if (r.stage === "intake" && page.officer) forms.push(decisionForm(page));
  if (r.stage === "refused") forms.push(reviewForm(page));
  if (r.stage === "eligible" || r.stage === "assigned") forms.push(await assignmentForm(page));
  if (r.stage === "assigned" && page.officer) forms.push(firstContactForm(page));
  if (!["closed", "refusal_upheld"].includes(r.stage)) forms.push(noteForm(page));
  if (["intake", "eligible", "assigned", "in_progress"].includes(r.stage)) forms.push(closeForm(page));
  return forms.length ? h("section.legal-actions.no-print", { "aria-labelledby": "legal-actions-h" }, h("h2", { id: "legal-actions-h" }, "办理"), forms) : null;
}

/**
 * A workflow step's form: `build()` answers the body or { errors } found before sending; the step is
 * posted with the version shown; success shows the case as it now stands.
 */
function stepForm(page, { id, title, action, label, controls, build, danger = false }) {
  const problems = h("div", { role: "alert" });
  const submit = h("button", { type: "submit", className: danger ? "danger" : "primary" }, label);
  const form = h("form.card.legal-step", { novalidate: true, id, "aria-labelledby": `${id}-h` },
    h("h3", { id: `${id}-h` }, title), problems, controls, h("div.actions", submit));
  // One key per step; sent again unchanged (after a network failure) it is the same key, so a step that
  // reached the server is answered as done instead of "changed by someone else".
  let pending = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const body = build();
    if (body.errors) {
      showFieldErrors(form, body.errors);
      return;
    }
    const text = JSON.stringify(body);
    if (!pending || pending.text !== text || pending.version !== page.record.version) {
      // An edited resubmit after a lost answer gets a new key; it remembers the earlier one may have been saved.
      const uncertain = Boolean(pending && pending.uncertain && pending.version === page.record.version);
      pending = { key: crypto.randomUUID(), text, version: page.record.version, uncertain };
    }
    submit.disabled = true;
    try {
      const answer = await api("POST", `/v1/legal-cases/${page.record.id}/${action}`,
        { body, ifMatch: page.record.version, idempotencyKey: pending.key });
      pending = null;
      const saved = answer.data;
      toast(answer.headers.get("idempotent-replayed") === "true" ? `${title}：此前已保存，未重复办理` : `${title}：已保存`);
      page.record = saved;
      await render(page);
      document.querySelector("main h1")?.scrollIntoView();
    } catch (error) {
      if (error.transient && pending) pending.uncertain = true;
      const uncertain = Boolean(pending && pending.uncertain);
      if (!error.transient) pending = null;
      await showStepProblem(page, form, problems, error, uncertain);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function showStepProblem(page, form, problems, error, uncertain = false) {
  if (error.status === 422) {
    const rest = showFieldErrors(form, error.fields, caseMessage);
    mount(problems, h("p.banner.bad", `请改正标出的内容${rest.length ? "：" + rest.join("；") : ""}`));
  } else if (error.status === 412 || error.status === 409) {
    // Someone else moved the case: show it as it is now, keep what was typed here.
    let fresh = null;
    try {
      fresh = (await api("GET", `/v1/legal-cases/${page.record.id}`)).data;
    } catch {
      fresh = null;
    }
    if (fresh) {
      const moved = fresh.stage !== page.record.stage;
      page.record = fresh;
      await renderDetails(page);
      mount(problems, h("div.banner.warn.legal-conflict",
        h("p", error.problem.code === "case_closed" ? "此案件已结案，不能再添加记录。"
          : uncertain ? "你之前的一次提交（当时网络中断）可能已经保存，这次没有再保存；请看上方最新情况。" : "此案件刚被他人更新，你的操作没有保存。"),
        h("p", moved ? `案件现处于“${stages[fresh.stage] || fresh.stage}”阶段，此操作可能已不适用；上方已显示最新情况。` : "上方已显示最新情况；你填写的内容仍在，核对后可再次提交。")));
    } else {
      mount(problems, h("p.banner.bad", "此案件已被他人更新，且暂时无法读取最新情况，请稍后刷新页面。"));
    }
  } else if (error.status === 403) {
    mount(problems, h("p.banner.bad", error.problem.code === "same_officer" ? "不予援助的决定须由其他司法所工作人员或乡镇管理员复核。" : "你的角色不能对此案件执行此操作。"));
  } else if (error.status === 404) {
    mount(problems, h("p.banner.bad", "找不到此案件，或你已无权查看。"));
  } else {
    mount(problems, h("p.banner.bad", error.transient ? "网络或服务器暂时不可用，内容已保留，请稍后再次提交。" : `保存失败：${error.message}`));
  }
}

function basisSelect(grounds) {
  const list = grounds || [];
  return h("select", { name: "basis" }, list.length ? null : h("option", { value: "" }, "档案不支持任何依据"),
    list.map((g) => h("option", { value: g }, bases[g] || g)));
}

function decisionForm(page) {
  const grounds = page.record.grounds || [];
  const decision = h("select", { name: "eligible" },
    grounds.length ? h("option", { value: "true" }, "准予法律援助") : null, h("option", { value: "false" }, "不予法律援助"));
  const basis = basisSelect(grounds);
  const reason = h("textarea", { name: "reason", rows: 3, maxlength: 2000 });
  const basisBox = field("援助依据", basis, { hint: "只列出档案和县级规则支持的依据" });
  const reasonBox = field("不予援助理由", reason, { hint: "必填；申请人可申请复核" });
  const shown = () => {
    basisBox.hidden = decision.value !== "true";
    reasonBox.hidden = decision.value !== "false";
  };
  decision.addEventListener("change", shown);
  shown();
  return stepForm(page, {
    id: "legal-decision", title: "资格审查", action: "decision", label: "保存审查决定",
    controls: [field("决定", decision, grounds.length ? {} : { hint: "档案未显示经济困难、未成年等依据，只能不予援助；如档案有误请先更正档案" }), basisBox, reasonBox],
    build: () => decision.value === "true" ? { eligible: true, basis: basis.value }
      : reason.value.trim() ? { eligible: false, reason: reason.value.trim() } : { errors: { reason: "请填写不予援助的理由" } },
  });
}

function reviewForm(page) {
  const decidedBy = page.record.eligibility?.decidedBy;
  if (decidedBy && decidedBy === profile()?.username) {
    return h("p.banner.warn", "你作出的不予援助决定须由其他司法所工作人员或乡镇管理员复核。");
  }
  const grounds = page.record.grounds || [];
  const decision = h("select", { name: "decision" },
    grounds.length ? h("option", { value: "overturn" }, reviewDecisions.overturn) : null, h("option", { value: "uphold" }, reviewDecisions.uphold));
  const basis = basisSelect(grounds);
  const reason = h("textarea", { name: "reason", rows: 3, maxlength: 2000 });
  const basisBox = field("援助依据", basis);
  const shown = () => {
    basisBox.hidden = decision.value !== "overturn";
  };
  decision.addEventListener("change", shown);
  shown();
  return stepForm(page, {
    id: "legal-review", title: "复核不予援助决定", action: "review", label: "保存复核结果",
    controls: [field("复核结果", decision), basisBox, field("复核理由", reason, { hint: "必填；复核只能进行一次" })],
    build: () => {
      if (!reason.value.trim()) return { errors: { reason: "请填写复核理由" } };
      return decision.value === "overturn" ? { decision: "overturn", basis: basis.value, reason: reason.value.trim() } : { decision: "uphold", reason: reason.value.trim() };
    },
  });
}

/** Legal-aid officers the caller can name: themself, and those an administrator can list. */
async function officerChoices(page) {
  const me = profile();
  const choices = page.officer ? [{ id: me.accountId, label: `本人（${me.username}）` }] : [];
  if (can("users.read")) {
    try {
      const listed = await get("/v1/users?kind=user&limit=200");
      for (const a of listed.items) {
        if (a.disabled || !a.grants.some((g) => g.role === "legal_aid_officer") || choices.some((c) => c.id === a.id)) continue;
        choices.push({ id: a.id, label: `${a.displayName}（${a.username}）` });
      }
    } catch {
      // Without the list the caller can still assign a lawyer (or themself).
    }
  }
  return choices;
}

async function assignmentForm(page) {
  const current = page.record.assignee;
  const choices = await officerChoices(page);
  const kind = h("select", { name: "kind" },
    choices.length ? h("option", { value: "officer" }, "司法所工作人员") : null, h("option", { value: "lawyer" }, "律师"));
  const officer = h("select", { name: "officerAccountId" }, choices.map((c) => h("option", { value: c.id }, c.label)));
  const lawyerName = h("input", { name: "lawyer.name", maxlength: 50, autocomplete: "off" });
  const firm = h("input", { name: "lawyer.firm", maxlength: 100, autocomplete: "off" });
  const licence = h("input", { name: "lawyer.licenceNumber", maxlength: 30, autocomplete: "off", inputmode: "latin" });
  const officerBox = field("承办人", officer);
  const lawyerBox = h("div.grid", field("律师姓名", lawyerName), field("律师事务所", firm), field("执业证号", licence, { hint: "5–30 位字母或数字" }));
  const shown = () => {
    officerBox.hidden = kind.value !== "officer";
    lawyerBox.hidden = kind.value !== "lawyer";
  };
  kind.addEventListener("change", shown);
  shown();
  return stepForm(page, {
    id: "legal-assignment", title: current ? "重新指派（首次联系前）" : "指派承办人", action: "assignment", label: current ? "重新指派" : "指派",
    controls: [h("p.hint", "指派后须在县定期限内与申请人首次联系。"), field("承办人类型", kind), officerBox, lawyerBox],
    build: () => kind.value === "officer" ? { officerAccountId: officer.value }
      : { lawyer: { name: lawyerName.value.trim(), firm: firm.value.trim(), licenceNumber: licence.value.trim() } },
  });
}

function firstContactForm(page) {
  const mode = codeSelect("mode", modes, { empty: "请选择" });
  const at = h("input", { name: "contactedAt", type: "datetime-local", value: localInputValue(), max: localInputValue() });
  return stepForm(page, {
    id: "legal-first-contact", title: "首次联系", action: "first-contact", label: "登记首次联系",
    controls: h("div.grid", field("联系时间", at), field("援助方式", mode)),
    build: () => {
      if (!mode.value) return { errors: { mode: "请选择援助方式" } };
      return at.value ? { mode: mode.value, contactedAt: new Date(at.value).toISOString() } : { mode: mode.value };
    },
  });
}

function closeForm(page) {
  const inProgress = page.record.stage === "in_progress";
  const choices = inProgress ? outcomes : { withdrawn: outcomes.withdrawn };
  const outcome = codeSelect("outcome", choices, { empty: inProgress ? "请选择" : null });
  const closedOn = h("input", { name: "closedOn", type: "date", value: chinaToday(), max: chinaToday() });
  const summary = h("textarea", { name: "summary", rows: 3, maxlength: 2000 });
  const mode = codeSelect("mode", modes, { empty: "不变" });
  return stepForm(page, {
    id: "legal-close", title: inProgress ? "结案" : "申请人撤回（结案）", action: "close", label: "结案", danger: !inProgress,
    controls: [inProgress ? null : h("p.hint", "首次联系之前只能以申请人撤回结案。"),
      h("div.grid", field("结果", outcome), field("结案日期", closedOn), inProgress ? field("更正援助方式", mode) : null),
      field("结案小结", summary, { hint: "最多 2000 字" })],
    build: () => {
      if (!outcome.value) return { errors: { outcome: "请选择结案结果" } };
      return {
        outcome: outcome.value, ...(closedOn.value ? { closedOn: closedOn.value } : {}),
        ...(summary.value.trim() ? { summary: summary.value.trim() } : {}), ...(inProgress && mode.value ? { mode: mode.value } : {}),
      };
    },
  });
}

/** A progress note: the note's id is made once per note, so a retry never adds it twice. */
function noteForm(page) {
  const body = h("textarea", { name: "body", rows: 3, maxlength: 4000 });
  const problems = h("div", { role: "alert" });
  const submit = h("button.primary", { type: "submit" }, "添加记录");
  const form = h("form.card.legal-step", { novalidate: true, id: "legal-note", "aria-labelledby": "legal-note-h" },
    h("h3", { id: "legal-note-h" }, "添加办理记录"), problems, field("记录内容", body, { hint: "如调解经过、联系情况；仅司法所和管理员可见" }), h("div.actions", submit));
  // One id per note until it is saved, so a resubmit never adds it twice.
  let attempt = { id: null };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const text = body.value.trim();
    if (!text) {
      showFieldErrors(form, { body: "请填写记录内容" });
      return;
    }
    attempt.id ||= crypto.randomUUID();
    submit.disabled = true;
    try {
      const note = await post(`/v1/legal-cases/${page.record.id}/notes`, { id: attempt.id, body: text });
      if (!page.record.notes.some((n) => n.id.toLowerCase() === note.id.toLowerCase())) page.record.notes.push(note);
      await renderDetails(page);
      body.value = "";
      attempt = { id: null };
      toast("已添加办理记录");
    } catch (error) {
      if (error.status === 409 && error.problem.code === "id_conflict") {
        // An earlier submit of this note was saved (its answer was lost) and the text was changed
        // since: that note stands. What is typed now stays, under a new id, to be added as a note of its own.
        attempt = { id: null };
        try {
          page.record = (await api("GET", `/v1/legal-cases/${page.record.id}`)).data;
          await renderDetails(page);
        } catch {
          // The list of notes shows the earlier one at the next visit.
        }
        mount(problems, h("div.banner.warn", { id: "legal-note-earlier" },
          h("p", "这条办理记录之前的一次提交已经保存（当时的回答没有送达），见上方“办理记录”。"),
          h("p", "之后修改的内容没有随那次保存，仍在下方；如需补充，请核对后再点“添加记录”，将作为一条新记录保存。")));
      } else await showStepProblem(page, form, problems, error);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The server's field messages of a step in Chinese. */
function caseMessage(text) {
  const rules = [
    [/registry supports no ground/i, "档案不支持任何援助依据"], [/registry supports only/i, "档案不支持此依据"], [/give the ground/i, "请选择援助依据"],
    [/needs a reason/i, "请填写理由（1 至 2000 字）"], [/overturn or uphold/i, "请选择复核结果"], [/assign either/i, "请指派一名工作人员或律师"],
    [/no legal-aid officer of this case's town/i, "不是此案件所在乡镇的司法所工作人员"], [/5 to 30 letters or digits/i, "须为 5 至 30 位字母或数字"],
    [/mediation, litigation or advice/i, "请选择援助方式"], [/before the case was assigned/i, "不能早于指派时间"], [/give the outcome/i, "请选择结案结果"],
    [/closes only as withdrawn/i, "首次联系前只能以申请人撤回结案"], [/before the case was opened/i, "不能早于受理日期"], [/write the note/i, "请填写记录内容（1 至 4000 字）"],
    [/say whether/i, "请选择审查决定"],
  ];
  for (const [pattern, chinese] of rules) if (pattern.test(text)) return chinese;
  return vocab.message(text);
}
