// 受理申请: a new legal-aid case for a person of the caller's town, found by name or taken from a
// grid follow-up with a legal need (the case resolves that follow-up). The case's id is made here,
// once per distinct content, so a retried submit never opens a second case.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { get, post, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import { urgencies, intakeChannels, legalNav, matters, readFailure, codeSelect } from "./legal-common.js";

function personLabel(p) {
  const kinds = (p.categories || []).map((c) => vocab.categories[c] || c).join("、");
  return `${p.name}${p.birthYear ? ` · ${p.birthYear} 年生` : ""}${kinds ? ` · ${kinds}` : ""}`;
}

async function legalFollowUps() {
  if (!can("followups.handle")) return [];
  try {
    return (await get("/v1/follow-ups")).items.filter((f) => f.need === "legal" && f.personId && f.canResolve !== false);
  } catch {
    return [];
  }
}

export async function intakeView({ app, params }) {
  if (!can("legal_aid.manage")) {
    mount(app.view, h("h1", "无权限"), h("p.banner.warn", { role: "alert" }, "你的角色不能受理法律援助申请。"));
    return;
  }
  let matterList;
  try {
    matterList = await matters();
  } catch (error) {
    mount(app.view, h("h1", "受理法律援助申请"), legalNav("new"), h("p.banner.bad", { role: "alert" }, readFailure(error, "案由列表")));
    return;
  }
  const followUps = await legalFollowUps();
  const form = intakeForm(app, matterList, followUps);
  const start = followUps.find((f) => f.id === params.get("followUpId"));
  if (start) form.useFollowUp(start);
  mount(app.view, h("h1", "受理法律援助申请"), legalNav("new"),
    followUps.length ? followUpCard(followUps, form) : null, form.element);
}

function followUpCard(followUps, form) {
  return h("details.card.legal-followups", h("summary", `网格员发现的法律需求：${followUps.length} 条待受理（点开选择，据此受理）`),
    h("ul", followUps.map((f) => h("li.row",
      h("span.grow", `${f.personName || "（人员）"} · 发现于 ${new Date(f.openedAt).toLocaleDateString("zh-CN")}`),
      h("button", { type: "button", "aria-label": `据此受理：${f.personName || ""}`, onclick: (event) => {
        event.currentTarget.closest("details").open = false;
        form.useFollowUp(f);
      } }, "据此受理")))));
}

function intakeForm(app, matterList, followUps) {
  const search = h("input", { type: "search", id: "legal-person-q", maxlength: 50, autocomplete: "off" });
  const findButton = h("button", { type: "button" }, "查找");
  const person = h("select", { name: "personId", required: true }, h("option", { value: "" }, "请先按姓名查找"));
  const found = h("p.muted.small", { role: "status", "aria-live": "polite" });
  const applicant = h("select", { name: "applicant" }, h("option", { value: "self" }, "本人申请"), h("option", { value: "guardian" }, "监护人代为申请（如为儿童申请）"));
  const guardianName = h("input", { name: "guardian.name", maxlength: 50, autocomplete: "off" });
  const guardianRelationship = h("input", { name: "guardian.relationship", maxlength: 20, autocomplete: "off" });
  const guardianBox = h("div.grid", field("监护人姓名", guardianName), field("与受援人关系", guardianRelationship, { hint: "如：祖父、母亲" }));
  const matter = h("select", { name: "matter" }, h("option", { value: "" }, "请选择"),
    matterList.map((m) => h("option", { value: m.code }, `${m.name}${m.meansFree ? "（免经济困难审查）" : ""}`)));
  const parties = h("textarea", { name: "parties", rows: 2, maxlength: 1100 });
  const facts = h("textarea", { name: "facts", rows: 5, maxlength: 8000 });
  const urgency = codeSelect("urgency", urgencies, { value: "normal" });
  const channel = codeSelect("channel", intakeChannels, { value: "walk_in" });
  const followUp = h("select", { name: "followUpId" }, h("option", { value: "" }, "请选择"));
  const followUpBox = field("来源跟进", followUp, { hint: "网格员走访时登记的法律需求；受理后该跟进自动办结" });
  const problems = h("div", { role: "alert" });
  const submit = h("button.primary", { type: "submit" }, "受理");
  const element = h("form.card.legal-intake", { novalidate: true, id: "legal-intake", "aria-labelledby": "legal-intake-h" },
    h("h2", { id: "legal-intake-h" }, "申请信息"), problems,
    h("div.row.legal-search", h("div.field.grow", h("label", { for: search.id }, "按姓名查找受援人"), search), findButton),
    found,
    field("受援人", person, { hint: "本乡镇在档人员；为儿童申请时选儿童本人" }),
    h("div.grid", field("申请方式", applicant), field("案由", matter), field("紧急程度", urgency), field("来源", channel)),
    guardianBox, followUpBox,
    field("对方当事人", parties, { hint: "每行一个姓名，最多 20 个；不填写其他信息" }),
    field("案情", facts, { hint: "简要说明事实和诉求，最多 8000 字" }),
    h("div.actions", submit));

  const shown = () => {
    guardianBox.hidden = applicant.value !== "guardian";
    followUpBox.hidden = channel.value !== "follow_up";
  };
  const setFollowUpOptions = () => {
    const mine = followUps.filter((f) => f.personId === person.value);
    const keep = followUp.value;
    followUp.replaceChildren(h("option", { value: "" }, mine.length ? "请选择" : "此人没有待受理的法律需求"),
      ...mine.map((f) => h("option", { value: f.id, selected: f.id === keep ? true : null }, `${new Date(f.openedAt).toLocaleDateString("zh-CN")} 走访发现`)));
  };
  const choose = (p) => {
    if (![...person.options].some((o) => o.value === p.id)) person.append(h("option", { value: p.id }, personLabel(p)));
    person.value = p.id;
    setFollowUpOptions();
  };
  async function find() {
    const q = search.value.trim();
    if (!q) {
      found.textContent = "请输入姓名";
      return;
    }
    findButton.disabled = true;
    found.textContent = "正在查找…";
    try {
      const page = await get(`/v1/persons${query({ q, status: "active", limit: 30 })}`);
      person.replaceChildren(h("option", { value: "" }, page.items.length ? "请选择" : "没有找到"), ...page.items.map((p) => h("option", { value: p.id }, personLabel(p))));
      if (page.items.length === 1) person.value = page.items[0].id;
      setFollowUpOptions();
      found.textContent = page.items.length ? `找到 ${page.items.length} 人${page.nextCursor ? "（仅显示前 30 人，请输入更完整的姓名）" : ""}，请在“受援人”中选择` : "没有找到在档人员";
    } catch (error) {
      found.textContent = readFailure(error, "人员");
    } finally {
      findButton.disabled = false;
    }
  }
  findButton.addEventListener("click", find);
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      find();
    }
  });
  applicant.addEventListener("change", shown);
  channel.addEventListener("change", shown);
  person.addEventListener("change", setFollowUpOptions);
  shown();

  // One id per distinct content: a retry of the same application reuses it, a changed one gets a new id.
  let attempt = { id: null };
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const body = {
      personId: person.value, matter: matter.value, urgency: urgency.value, channel: channel.value,
      parties: parties.value.split("\n").map((p) => p.trim()).filter(Boolean), facts: facts.value.trim(),
      ...(applicant.value === "guardian" ? { guardian: { name: guardianName.value.trim(), relationship: guardianRelationship.value.trim() } } : {}),
      ...(channel.value === "follow_up" && followUp.value ? { followUpId: followUp.value } : {}),
    };
    const local = {};
    if (!body.personId) local.personId = "请选择受援人";
    if (!body.matter) local.matter = "请选择案由";
    if (Object.keys(local).length) {
      showFieldErrors(element, local);
      return;
    }
    // One id per form until it is saved: a resubmit after a lost answer, even with a typo fixed, can
    // never open a second case (the server answers 409 for other content under the same id).
    attempt.id ||= crypto.randomUUID();
    submit.disabled = true;
    try {
      const record = await post("/v1/legal-cases", { id: attempt.id, ...body });
      toast("已受理");
      app.go(`#/legal/${record.id}`);
    } catch (error) {
      showProblem(element, problems, error);
    } finally {
      submit.disabled = false;
    }
  });

  return {
    element,
    useFollowUp(f) {
      choose({ id: f.personId, name: f.personName || "（人员）" });
      channel.value = "follow_up";
      setFollowUpOptions();
      followUp.value = f.id;
      shown();
      search.value = f.personName || "";
      found.textContent = `已选择跟进：${f.personName || ""}`;
      matter.focus();
    },
  };
}

function showProblem(form, problems, error) {
  if (error.status === 422) {
    // parties[3] and the like are shown at the parties field.
    const fields = {};
    for (const [name, text] of Object.entries(error.fields)) fields[name.replace(/\[\d+\]$/, "")] ||= text;
    const rest = showFieldErrors(form, fields, intakeMessage);
    mount(problems, h("p.banner.bad", `请改正标出的内容${rest.length ? "：" + rest.join("；") : ""}`));
  } else if (error.status === 409) {
    mount(problems, h("p.banner.bad", "此申请上次已受理（可能在网络中断前已保存），内容与本次不同：请到案件列表核对，不要重复受理。"));
  } else if (error.status === 403) {
    mount(problems, h("p.banner.bad", "你不能为此人受理法律援助申请。"));
  } else {
    mount(problems, h("p.banner.bad", error.transient ? "网络或服务器暂时不可用，内容已保留，请稍后再次提交（不会重复受理）。" : `受理失败：${error.message}`));
  }
}

/** The server's field messages of an application in Chinese. */
function intakeMessage(text) {
  const rules = [
    [/no such active person/i, "不是你所在乡镇的在档人员"], [/no such matter/i, "不是本县的案由"], [/at most 20 other parties/i, "最多 20 个对方当事人"],
    [/a name of 1 to 50/i, "每个姓名 1 至 50 个字"], [/describe the facts/i, "请填写案情（1 至 8000 字）"],
    [/give the follow-up exactly/i, "来源为网格跟进时须选择跟进，其他来源不选"], [/no follow-up of this person/i, "不是此人的法律需求跟进"],
    [/no such person in your scope/i, "找不到此人"],
  ];
  for (const [pattern, text2] of rules) if (pattern.test(text)) return text2;
  return vocab.message(text);
}
