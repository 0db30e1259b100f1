// 结对帮扶: the list, a new pairing (one or several volunteers with one or several people, the
// guardian's consent per child; the client's id makes a retry safe), a pairing's page with its
// end (reason, If-Match) and its effect checks (进步档案).
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { codeSelect, day, loadError, pairingKinds, personFinder, screening, screeningBadge, today, trends } from "./clinics-common.js";

const MESSAGES = [
  [/^name 1 to 10 different volunteers$/, "请选择 1 至 10 名志愿者"], [/^name 1 to 20 different people$/, "请选择 1 至 20 名不同的结对对象"],
  [/^describe the pairing's goals/, "请填写结对目标（1 至 2000 字）"], [/^is before startOn$/, "不能早于开始日期"],
  [/^is more than a year ahead$/, "不能晚于一年后"], [/^give who consented and when together$/, "同意人和同意日期须一起填写"],
  [/^no such active person in your scope$/, "不在你管理范围内的在档人员"], [/^a child is paired only with the guardian's recorded consent$/, "儿童结对须登记监护人的同意"],
  [/^pair people of one unit you manage/, "结对对象须属于你管理的同一村、乡镇或县"], [/^no such volunteer in your register$/, "名册中没有此志愿者"],
  [/^failed the background check/, "背景审查未通过，不能结对"], [/^only volunteers who passed the background check are paired with children$/, "只有背景审查通过的志愿者才能与儿童结对"],
  [/^say why the pairing ends/, "请写明结束原因（1 至 1000 字）"], [/^is before the pairing started$/, "不能早于结对开始日期"],
  [/^is not a person of this pairing you can see$/, "不是此结对的对象"],
];

function message(text) {
  for (const [pattern, chinese] of MESSAGES) if (pattern.test(text)) return chinese;
  return vocab.message(text);
}

const statusBadge = (p) => (p.status === "ended" ? h("span.badge", "已结束") : p.running ? h("span.badge.ok", "进行中") : h("span.badge.warn", "未在期内"));
const helperNames = (p) => p.helpers.map((x) => x.name || "（志愿者）").join("、");
const peopleNames = (p) => p.people.map((x) => x.name || "（无权查看）").join("、");

export async function pairingsList(app, params) {
  const filters = { status: params.get("status") || "active", volunteerId: params.get("volunteerId") || "" };
  const form = h("form.filters.card.no-print", { role: "search", "aria-label": "筛选结对" },
    field("状态", codeSelect("status", { active: "进行中", ended: "已结束", all: "全部" }, filters.status)),
    filters.volunteerId ? h("input", { type: "hidden", name: "volunteerId", value: filters.volunteerId }) : null,
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), filters.volunteerId ? h("a.button", { href: "#/volunteers/pairings" }, "全部志愿者") : null));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/volunteers/pairings${query(Object.fromEntries(new FormData(form).entries()))}`);
  });
  let items;
  try {
    items = (await get(`/v1/pairings${query({ ...filters, status: filters.status === "all" ? "" : filters.status })}`)).items;
  } catch (error) {
    return [form, h("p.banner.bad", { role: "alert" }, loadError(error))];
  }
  return h("section", { "aria-labelledby": "pairings-h" }, h("h2", { id: "pairings-h" }, "结对帮扶"), form,
    h("p.muted", { role: "status" }, `${items.length} 个结对`),
    items.length ? h("div.table-wrap", h("table.list.pairings", h("caption.sr-only", "结对列表"),
      h("thead", h("tr", ["结对对象", "志愿者", "类型", "开始", "计划结束", "状态"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", items.map((p) => h("tr", { dataset: { id: p.id } },
        h("td", h("a", { href: `#/volunteers/pairings/${p.id}` }, peopleNames(p))), h("td", helperNames(p)),
        h("td", pairingKinds[p.kind] || p.kind), h("td", p.startOn), h("td", day(p.endOn)), h("td", statusBadge(p)))))))
      : h("p", "没有符合条件的结对。"));
}

/** Checkboxes of the volunteers who may be paired (failed ones never); an error box the form's errors reach. */
function helperChoices(volunteers, preselected) {
  const eligible = volunteers.filter((v) => v.screening !== "failed");
  const boxes = eligible.map((v) => h("input", { type: "checkbox", name: "helpers", value: v.id, id: `helper-${v.id}`, checked: v.id === preselected ? true : null }));
  const errorBox = h("p.field-error", { id: `${boxes[0]?.id}-error`, role: "alert" });
  return h("fieldset.form-section.helpers", { "aria-describedby": errorBox.id },
    h("legend", "志愿者（可选多名）"),
    eligible.length ? h("ul.helper-list", eligible.map((v, i) => h("li",
      boxes[i], h("label", { for: boxes[i].id }, v.name, " ", h("span", { className: `badge ${screeningBadge[v.screening]}` }, `审查${screening[v.screening]}`),
        v.screening === "pending" ? h("span.muted.small", " 不能与儿童结对") : null))))
      : h("p", "名册中没有可结对的志愿者。"),
    errorBox);
}

function personRow(index) {
  const finder = personFinder({ name: `people[${index}].personId`, label: `结对对象 ${index + 1}`, id: `pair-person-${index}` });
  return h("fieldset.form-section.pair-person", h("legend", `结对对象 ${index + 1}`), finder.element,
    h("div.grid",
      field("监护人（同意人）", h("input", { name: `people[${index}].consentBy`, maxlength: 50, autocomplete: "off" }), { hint: "儿童必填：同意结对的监护人姓名。" }),
      field("同意日期", h("input", { name: `people[${index}].consentOn`, type: "date", max: today() }))));
}

/** helpers[i] errors go to the volunteer group, named by the volunteer. */
function errorsForForm(fields, body, volunteers) {
  const out = {};
  for (const [path, text] of Object.entries(fields)) {
    const m = path.match(/^helpers\[(\d+)\]$/);
    const name = m ? "helpers" : path;
    const shown = m ? `${volunteers.find((v) => v.id === body.helpers[Number(m[1])])?.name || "志愿者"}：${message(text)}` : message(text);
    out[name] = out[name] ? `${out[name]}；${shown}` : shown;
  }
  return out;
}

export async function pairingForm(app, params) {
  let volunteers;
  try {
    volunteers = (await get("/v1/volunteers")).items;
  } catch (error) {
    return h("p.banner.bad", { role: "alert" }, loadError(error));
  }
  const id = crypto.randomUUID(); // one pairing per form: a retry of this submit answers the stored one
  const people = h("div.pair-people", personRow(0));
  const add = h("button", { type: "button", id: "pair-add-person" }, "再添加一名结对对象");
  add.addEventListener("click", () => {
    const count = people.children.length;
    if (count < 20) people.append(personRow(count));
    add.disabled = people.children.length >= 20;
  });
  const save = h("button.primary", { type: "submit", id: "pair-save" }, "建立结对");
  const outcome = h("div", { "aria-live": "polite" });
  const form = h("form.card.pairing-form", { novalidate: true, "aria-labelledby": "pair-h" },
    h("div.grid",
      field("结对类型", codeSelect("kind", pairingKinds, "proxy_parent")),
      field("开始日期", h("input", { name: "startOn", type: "date", value: today() })),
      field("计划结束日期", h("input", { name: "endOn", type: "date" }), { hint: "选填；到期当天结束后志愿者不再能查看。" })),
    helperChoices(volunteers, params.get("volunteerId")),
    people, h("div.row.no-print", add),
    field("结对目标", h("textarea", { name: "goals", rows: 3, maxlength: 2000 })),
    h("div.row", save), outcome);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => (form.elements[name]?.value || "").trim();
    const body = {
      id, kind: value("kind"), goals: value("goals"), startOn: value("startOn"), endOn: value("endOn") || null,
      helpers: [...form.querySelectorAll("[name=helpers]:checked")].map((c) => c.value),
      people: [...people.children].map((_, i) => ({
        personId: value(`people[${i}].personId`), consentBy: value(`people[${i}].consentBy`) || null, consentOn: value(`people[${i}].consentOn`) || null,
      })),
    };
    const missing = body.people.findIndex((p) => !p.personId);
    if (missing >= 0) {
      showFieldErrors(form, { [`people[${missing}].personId`]: "请按姓名查找并选择结对对象" });
      return;
    }
    save.disabled = true;
    outcome.replaceChildren();
    try {
      const saved = (await api("POST", "/v1/pairings", { body })).data;
      toast("结对已建立");
      app.go(`#/volunteers/pairings/${saved.id}`);
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, errorsForForm(error.fields, body, volunteers));
        outcome.replaceChildren(h("p.banner.bad", { role: "alert" }, "有内容需要改正，见标红的栏目。", rest.length ? ` ${rest.join("；")}` : ""));
      } else {
        outcome.replaceChildren(h("p.banner.bad", { role: "alert" }, error.status === 409 ? "此结对已以不同内容保存过：请刷新页面后重新填写。" : `保存失败：${error.message}（已填写的内容仍在，可再试）`));
      }
    } finally {
      save.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "pair-h" }, h("h2", { id: "pair-h" }, "新建结对"),
    h("p", "儿童（留守儿童、困境儿童及未满 18 岁者）只能与背景审查通过的志愿者结对，并须登记监护人同意。"), form);
}

function endForm(app, pairing, version) {
  let current = version;
  const reason = h("textarea", { name: "reason", rows: 2, maxlength: 1000 });
  const save = h("button.danger", { type: "submit", id: "pair-end" }, "结束结对");
  const note = h("div", { "aria-live": "polite" });
  const form = h("form.card.no-print", { novalidate: true, "aria-labelledby": "end-h" },
    h("h3", { id: "end-h" }, "结束结对"),
    h("div.grid", field("结束原因", reason), field("结束日期", h("input", { name: "endedOn", type: "date", value: today(), max: today() }))),
    h("p.hint", "结束后志愿者立即不能再查看结对对象；结对历史保留在人员时间线上。"), note, h("div.row", save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await api("POST", `/v1/pairings/${pairing.id}/end`, { body: { reason: reason.value.trim(), endedOn: form.elements.endedOn.value || null }, ifMatch: current });
      toast("结对已结束");
      app.render();
    } catch (error) {
      if (error.status === 422) showFieldErrors(form, error.fields, message);
      else if (error.status === 412) {
        const fresh = await api("GET", `/v1/pairings/${pairing.id}`).catch(() => null);
        if (fresh) current = fresh.data.version;
        note.replaceChildren(h("p.banner.warn", { role: "alert" }, fresh
          ? `此结对刚被他人修改（现为${fresh.data.status === "ended" ? "已结束" : "进行中"}）。你写的原因仍在，确认后可再次提交。`
          : "此结对刚被他人修改；暂时无法取得最新情况，你写的原因仍在，请稍后再试。"));
      } else if (error.status === 409) {
        toast("此结对已经结束", "bad");
        app.render();
      } else toast(error.status === 403 ? "此结对由上级单位管理，你不能结束。" : `失败：${error.message}`, "bad");
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

function progressForm(app, pairing) {
  const id = crypto.randomUUID();
  const trend = (name, label, empty) => field(label, codeSelect(name, trends, empty ? "" : "steady", empty));
  const save = h("button.primary", { type: "submit", id: "progress-save" }, "保存评估");
  const form = h("form.card.no-print", { novalidate: true, "aria-labelledby": "progress-form-h" },
    h("h3", { id: "progress-form-h" }, "记录成效评估"),
    h("div.grid",
      field("评估对象", h("select", { name: "personId" }, pairing.people.map((p) => h("option", { value: p.personId }, p.name || "（结对对象）")))),
      field("评估日期", h("input", { name: "assessedOn", type: "date", value: today(), max: today() })),
      trend("study", "学习", "不适用"), trend("mood", "情绪"), trend("living", "生活")),
    field("说明", h("textarea", { name: "notes", rows: 2, maxlength: 2000 })), h("div.row", save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (name) => form.elements[name].value.trim();
    save.disabled = true;
    try {
      await api("POST", `/v1/pairings/${pairing.id}/progress`, { body: {
        id, personId: value("personId"), assessedOn: value("assessedOn"), study: value("study") || null, mood: value("mood"), living: value("living"), notes: value("notes") || null,
      } });
      toast("评估已保存");
      app.render();
    } catch (error) {
      if (error.status === 422) showFieldErrors(form, error.fields, message);
      else toast(error.status === 403 ? "成效评估由村儿童主任、乡镇或孩子学校的老师填写。" : `保存失败：${error.message}`, "bad");
    } finally {
      save.disabled = false;
    }
  });
  return form;
}

export async function pairingDetail(app, id) {
  let response;
  let progress;
  try {
    [response, progress] = await Promise.all([api("GET", `/v1/pairings/${id}`), get(`/v1/pairings/${id}/progress`)]);
  } catch (error) {
    return h("p.banner.bad", { role: "alert" }, loadError(error));
  }
  const p = response.data;
  const names = Object.fromEntries(p.people.map((x) => [x.personId, x.name || "（结对对象）"]));
  return [
    h("section.card.pairing", { "aria-labelledby": "pairing-h", dataset: { id: p.id } },
      h("h2", { id: "pairing-h" }, `${pairingKinds[p.kind] || p.kind}：${peopleNames(p)}`, " ", statusBadge(p)),
      h("dl.pairs",
        h("dt", "志愿者"), h("dd", p.helpers.map((x) => h("a", { href: `#/volunteers/v/${x.volunteerId}` }, x.name || "（志愿者）")).flatMap((a, i) => (i ? ["、", a] : [a]))),
        h("dt", "登记单位"), h("dd", await units.name(p.unitId)),
        h("dt", "结对目标"), h("dd", p.goals),
        h("dt", "期限"), h("dd", `${p.startOn} 至 ${p.endOn || "未定"}`),
        p.status === "ended" ? [h("dt", "结束"), h("dd", `${day(p.endedOn)}：${p.endReason || ""}`)] : null),
      h("h3", "结对对象与监护人同意"),
      h("ul.consents", p.people.map((x) => h("li", h("a", { href: `#/persons/${x.personId}` }, x.name || "（结对对象）"), "：",
        x.consentBy ? `${x.consentBy} 于 ${x.consentOn} 同意` : "未登记监护人同意（成人结对）")))),
    p.status === "active" && can("pairings.manage") ? endForm(app, p, p.version) : null,
    h("section", { "aria-labelledby": "progress-h" }, h("h2", { id: "progress-h" }, "成效评估（进步档案）"),
      progress.items.length ? h("div.table-wrap", h("table", h("caption.sr-only", "成效评估"),
        h("thead", h("tr", ["日期", "对象", "学习", "情绪", "生活", "说明", "评估人"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", progress.items.map((c) => h("tr", h("td", c.assessedOn), h("td", names[c.personId] || "—"), h("td", trends[c.study] || "—"),
          h("td", trends[c.mood]), h("td", trends[c.living]), h("td", c.notes || "—"), h("td", c.assessorName))))))
        : h("p", "还没有成效评估。"),
      p.status === "active" && can("pairings.assess") ? progressForm(app, p) : null),
  ];
}
