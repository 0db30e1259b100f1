// 强制报告: a mandatory report goes to the town's supervisor at once. It must be sent online; offline,
// the draft is kept on this device and the reporter is told to call 110 if a child is in danger.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { post } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import { db, newId, cached } from "../data.js";

// A draft per reported person ("report:<person id>"), so that opening the form for another child
// never carries one child's account over to the other; "report" is a draft not yet pointed at anyone
// (and the single draft kept before drafts were per person).
const draftKey = (personId) => (personId ? `report:${personId}` : "report");

/** The draft for `personId` (a new one if none is kept), adopting a single draft kept for that person. */
async function draftFor(personId) {
  const own = await db.get("drafts", draftKey(personId));
  if (own) return own;
  const single = personId ? await db.get("drafts", "report") : null;
  if (single && (!single.personId || single.personId === personId)) {
    // Kept under its new key before the old one goes, so that leaving the form loses nothing.
    const adopted = { ...single, key: draftKey(personId), personId };
    await db.put("drafts", adopted);
    await db.delete("drafts", "report");
    return adopted;
  }
  return { key: draftKey(personId), id: newId(), personId, kind: "", details: "" };
}

/** The name of a person the device knows (a viewed file or today's tasks), or "". */
async function nameOf(personId) {
  const entry = await cached(`person:${personId}`);
  if (entry) return entry.value.file.name;
  const tasks = await cached("tasks");
  return (tasks && (tasks.value.items.find((t) => t.personId === personId) || {}).personName) || "";
}

let onNetwork = () => {};
addEventListener("online", () => onNetwork(true));
addEventListener("offline", () => onNetwork(false));

export async function reportView({ app, params }) {
  const personId = params.get("person");
  const draft = await draftFor(personId);
  const personName = draft.personId ? await nameOf(draft.personId) : "";
  // Reports drafted for other people and not yet sent are listed, so none is forgotten.
  const others = (await db.all("drafts"))
    .filter((d) => (d.key === "report" || d.key.startsWith("report:")) && d.key !== draft.key && d.id !== draft.id && (d.kind || d.details));
  const waiting = others.length ? h("div.banner.warn", { role: "status" }, "还有未提交的强制报告草稿：",
    await Promise.all(others.map(async (d) => [
      h("a.tap", { href: d.personId ? `#/report?person=${d.personId}` : "#/report" }, d.personId ? (await nameOf(d.personId)) || "（已选人员）" : "（未选定人员）"), " "]))) : null;
  const details = h("textarea", { name: "details", rows: 5, maxlength: 4000, required: true }, draft.details);
  const police = h("input", { type: "checkbox", name: "police" });
  const offline = h("p.banner.bad", { role: "alert" },
    "现在没有网络：强制报告必须联网提交。草稿已保存在本机，联网后回到此页点“提交”。儿童有危险时请立即拨打 ",
    h("a", { href: "tel:110" }, "110"), "。");
  offline.hidden = navigator.onLine;
  const submit = h("button.danger.big", { type: "submit" }, "提交强制报告");
  const error = h("p.field-error", { role: "alert" });
  const earlier = h("div.banner.warn", { role: "alert", id: "report-earlier", hidden: true },
    h("p", "这份报告之前的一次提交已经送达，乡镇儿童督导员已收到，无需重复报告。"),
    h("p", "之后修改的内容没有随那次提交保存，仍在下方。如需补充，请核对后再点“提交强制报告”，将作为一份新的报告提交。"));
  const form = h("form", { novalidate: true },
    h("h2", "强制报告"),
    h("p.small", "发现儿童独居、失踪，监护人丧失能力或不履行职责，疑似遭受家庭暴力或不法侵害时，立即报告。报告直达乡镇儿童督导员。"),
    offline,
    waiting,
    draft.personId ? h("p", "被报告人：", h("strong", personName || "（已选人员）")) : h("p.banner.warn", "请从人员档案页点“强制报告”，以便报告指向具体的人。"),
    h("fieldset.chips", h("legend", "情形"), Object.entries(vocab.safeguardingKinds).map(([value, label]) =>
      h("label.chip", h("input", { type: "radio", name: "kind", value, checked: draft.kind === value }), h("span", label)))),
    h("p.field-error", { id: "kind-error", role: "alert" }),
    field("具体情况", details, { hint: "时间、地点、看到或听到的情况" }),
    h("div.field", h("label.row.check", police, "已报警（公安已知悉）")),
    earlier,
    error,
    h("div.actions", submit, h("a.button", { href: "tel:110" }, "拨打 110")));
  const saveDraft = async () => {
    const data = new FormData(form);
    Object.assign(draft, { kind: data.get("kind") || "", details: details.value });
    await db.put("drafts", draft);
  };
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  onNetwork = (online) => (offline.hidden = online);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await saveDraft();
    document.getElementById("kind-error").textContent = draft.kind ? "" : "请选择情形";
    if (!details.value.trim()) showFieldErrors(form, { details: "请写明具体情况" });
    if (!draft.kind || !details.value.trim()) return;
    if (!navigator.onLine) {
      offline.hidden = false;
      toast("没有网络，报告未提交；草稿已保存", "bad");
      return;
    }
    if (!draft.personId) {
      error.textContent = "请先从人员档案页进入，选定被报告人";
      return;
    }
    submit.disabled = true;
    try {
      const body = { id: draft.id, personId: draft.personId, kind: draft.kind, details: details.value.trim() };
      if (police.checked) body.policeNotifiedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
      await post("/v1/safeguarding-reports", body);
      await db.delete("drafts", draft.key);
      mount(app.view, h("div.banner.ok", { role: "status" }, "强制报告已提交，乡镇儿童督导员和管理员已收到。"), h("a.button", { href: "#/today" }, "返回今日任务"));
    } catch (e) {
      if (e.status === 409 && e.problem.code === "id_conflict") {
        // An earlier submit of this draft reached the server (its answer was lost) and the text was
        // changed since: that report stands. What is typed now is kept, under a new id, to be filed
        // as a report of its own if the reporter still wants to.
        draft.id = newId();
        await db.put("drafts", draft);
        error.textContent = "";
        earlier.hidden = false;
      } else if (e.offline || e.transient) error.textContent = "提交失败（网络或服务器暂不可用），草稿已保存，请稍后再试；紧急时请拨打 110。";
      else if (e.status === 422 || e.status === 400) {
        // Fields without a control of their own (the reported person) are named below the form.
        const rest = showFieldErrors(form, e.fields, vocab.message);
        error.textContent = rest.length ? rest.map((line) => line.replace(/^personId: /, "被报告人：")).join("；") : "";
      } else error.textContent = e.message;
    } finally {
      submit.disabled = false;
    }
  });
  mount(app.view, form);
}
