// 新建救助申请: find a person in scope by name, then the case type, urgency, need and amount. The
// case's id is made once per form, so a retried submit answers the stored case instead of a second one.
// #/relief/new?personId=…&followUpId=… comes from a grid follow-up of that person.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { get, post, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import * as R from "./relief-common.js";

export async function reliefNewView({ app, params }) {
  if (!can("relief.raise")) {
    mount(app.view, h("h1", "新建救助申请"), h("p.banner.warn", { role: "alert" }, "你的角色不能提出救助申请。"));
    return;
  }
  const roots = await units.roots();
  const types = roots[0] ? (await get(`/v1/relief/case-types${query({ unitId: roots[0].id })}`)).items : [];
  const followUpId = params.get("followUpId") || "";
  let person = null;
  if (params.get("personId")) person = await get(`/v1/persons/${params.get("personId")}`).catch(() => null);

  const chosen = h("p", { id: "chosen-person", role: "status", "aria-live": "polite" });
  const personId = h("input", { type: "hidden", name: "personId", value: person ? person.id : "" });
  const showChosen = (p, villageName = "") => {
    personId.value = p ? p.id : "";
    const error = document.getElementById("personId-error");
    if (error) error.textContent = "";
    chosen.replaceChildren(p ? h("strong", `已选：${p.name}${villageName ? `（${villageName}）` : ""}`) : h("span.muted", "尚未选择申请人"));
  };
  showChosen(person, person ? await units.name(person.villageId) : "");

  const form = h("form.card.relief-new", { novalidate: true, "aria-labelledby": "case-h" },
    h("h2", { id: "case-h" }, "申请内容"),
    personId, h("div.field", { dataset: { field: "personId" } }, chosen, h("p.field-error", { id: "personId-error", role: "alert" })),
    h("div.grid",
      field("救助类型", R.choice("typeKey", Object.fromEntries(types.map((t) => [t.key, t.name])), "", "请选择")),
      field("紧急程度", R.choice("urgency", R.urgencies, "normal"), { hint: "紧急：24 小时内决定；一般：按工作日计算时限" }),
      field("申请金额（元）", h("input", { name: "amountRequestedFen", inputmode: "decimal", autocomplete: "off" }), { hint: "如 800 或 800.50" }),
      followUpId ? null : field("申请方式", R.choice("source", { cadre: R.sources.cadre, self: R.sources.self }, "cadre"))),
    field("困难情况", h("textarea", { name: "need", maxlength: 2000, rows: 3 })),
    field("证明材料", h("textarea", { name: "documents", rows: 2 }), { hint: "每行一份，如：户口本、困难情况说明" }),
    h("div.row", h("button.primary", { type: "submit", id: "file-case" }, "提交申请"), h("a.button", { href: "#/relief" }, "取消")));
  // The error box of the person is found by the hidden input's id.
  personId.id = "personId";
  form.addEventListener("input", clearError);
  form.addEventListener("change", clearError);
  const caseId = crypto.randomUUID();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fileCase(app, form, caseId, followUpId);
  });

  mount(app.view, h("p.crumbs", h("a", { href: "#/relief" }, "帮扶救助"), " › 新建申请"), h("h1", "新建救助申请"),
    followUpId ? h("p.banner.ok", "此申请来自网格走访跟进，将与该跟进关联。") : null,
    person && followUpId ? null : personSearch(showChosen),
    form);
}

/** A field's error goes once its value is changed. */
function clearError(event) {
  const box = document.getElementById(`${event.target.id}-error`);
  if (box) box.textContent = "";
  event.target.removeAttribute("aria-invalid");
}

/** The name search of persons in the caller's scope; picking one fills the form's person. */
function personSearch(showChosen) {
  const q = h("input", { type: "search", name: "q", id: "person-q", maxlength: 50, autocomplete: "off" });
  const results = h("ul.queue.person-results", { "aria-live": "polite" });
  const status = h("p.muted", { role: "status" });
  const search = h("form.card.filters", { role: "search", "aria-label": "查找申请人" },
    field("申请人姓名", q), h("div.field.buttons", h("button", { type: "submit", id: "person-search" }, "查找")));
  search.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "正在查找…";
    results.replaceChildren();
    try {
      const page = await get(`/v1/persons${query({ q: q.value.trim(), limit: 20 })}`);
      const names = await Promise.all(page.items.map((p) => units.name(p.villageId)));
      status.textContent = page.items.length ? `找到 ${page.items.length} 人，请选择` : "没有找到此人（只能为你工作范围内在档的人申请）";
      results.replaceChildren(...page.items.map((p, i) => h("li.row", { dataset: { id: p.id } },
        h("span.grow", `${p.name} · ${vocab.sex[p.sex] || ""} ${p.birthYear || ""} 年生 · ${names[i]} · ${p.categories.map((c) => vocab.categories[c] || c).join("、")}`),
        h("button", { type: "button", className: "pick", onclick: () => { showChosen(p, names[i]); document.querySelector("[name=typeKey]").focus(); } }, `选择 ${p.name}`))));
    } catch (error) {
      status.textContent = R.failure(error);
    }
  });
  return h("section", { "aria-labelledby": "search-h" }, h("h2", { id: "search-h" }, "申请人"), search, status, results);
}

async function fileCase(app, form, caseId, followUpId) {
  const button = form.querySelector("#file-case");
  if (button.disabled) return;
  const value = (name) => (form.querySelector(`[name="${name}"]`)?.value || "").trim();
  const errors = {};
  const fen = R.fenFrom(value("amountRequestedFen") || "0");
  if (!value("personId")) errors.personId = "请先查找并选择申请人";
  if (!value("typeKey")) errors.typeKey = "请选择救助类型";
  if (!value("need")) errors.need = "请写明困难情况";
  if (fen === null) errors.amountRequestedFen = "请填写金额，如 800 或 800.50";
  if (Object.keys(errors).length) {
    showFieldErrors(form, errors);
    return;
  }
  const body = {
    id: caseId, personId: value("personId"), typeKey: value("typeKey"), urgency: value("urgency"), need: value("need"),
    amountRequestedFen: fen, documents: value("documents").split(/\n+/).map((d) => d.trim()).filter(Boolean),
    source: followUpId ? "follow_up" : value("source"), followUpId: followUpId || undefined,
  };
  button.disabled = true;
  try {
    await post("/v1/relief/cases", body);
    toast("申请已提交");
    app.go(`#/relief/${caseId}`);
  } catch (error) {
    button.disabled = false;
    if (error.status === 409 && error.problem.existingCaseId) {
      showFieldErrors(form, { typeKey: "此人已有同类型的在办案件" });
      form.querySelector("#personId-error").replaceChildren(h("a", { href: `#/relief/${error.problem.existingCaseId}` }, "查看在办案件"));
    } else if (error.status === 422 || error.status === 400) {
      const rest = showFieldErrors(form, error.fields, R.message);
      // A line of the documents box is named by its number, as the user sees it.
      const named = rest.map((line) => line.replace(/^documents\[(\d+)\]: /, (_, i) => `证明材料第 ${Number(i) + 1} 行：`).replace(/^[a-zA-Z.[\]0-9]+: /, ""));
      if (named.length) toast(`请修改：${named.join("；")}`, "bad");
    } else {
      toast(R.failure(error), "bad");
    }
  }
}
