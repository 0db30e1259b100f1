// The person card: what the caller may see (masked identifiers; a reduced file for volunteers and
// teachers), with tap-to-call numbers. Full phone numbers are fetched only with a stated reason
// (audited by the server) and are never kept on the device.
import { h, mount, ageOf, formatDate, toast } from "../../shared/ui.js";
import { get, query, isSecondFactorDue } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as session from "../../shared/session.js";
import { cached, keep } from "../data.js";
import { myKinds } from "./record.js";

const HOTLINES = [["110", "报警"], ["120", "急救"], ["12345", "政务服务热线"], ["12338", "妇女维权"], ["12355", "青少年服务"], ["12348", "法律援助"]];

export async function personView({ app, id }) {
  let record = null;
  let fromCache = false;
  // Why the server's file is not shown when it is not (null: offline, or shown).
  let failure = null;
  if (navigator.onLine) {
    try {
      record = await get(`/v1/persons/${id}`);
      await keep(`person:${id}`, record, session.profile().accountId);
    } catch (e) {
      if (e.status === 404) {
        mount(app.view, h("p.banner.bad", "没有这个人，或您无权查看。"), h("a.button", { href: "#/today" }, "返回"));
        return;
      }
      // A code owed or a session ended: the app's own handlers take over.
      if (isSecondFactorDue(e) || e.status === 401) return;
      if (e.status === 403) {
        // Not the caller's to read (any more): a copy kept earlier is not shown either.
        mount(app.view, h("p.banner.bad", { role: "alert" }, "您无权查看此人的档案。"), h("a.button", { href: "#/today" }, "返回"));
        return;
      }
      if (!e.offline) failure = e;
    }
  }
  if (!record) {
    const entry = await cached(`person:${id}`);
    record = entry && entry.value;
    fromCache = true;
  }
  if (!record) {
    const records = myKinds().length > 0;
    mount(app.view,
      h("p.banner.warn", `${failure ? `暂时无法读取档案（${failure.message}），本机也没有保存这个人的档案。` : "离线，本机没有这个人的档案。"}${records ? "仍可以记录走访。" : ""}`),
      records ? h("a.button.primary", { href: `#/record/${id}` }, "记录走访") : h("a.button", { href: "#/today" }, "返回"));
    return;
  }
  const f = record.file;
  const phones = h("div.calls");
  const draw = (file) => {
    const numbers = [];
    if (file.phone) numbers.push(["本人", file.phone]);
    const guardian = file.child && file.child.guardian;
    if (guardian && guardian.phone) numbers.push([`监护人 ${guardian.name}（${guardian.relationship}）`, guardian.phone]);
    for (const m of file.migrantFamily || []) if (m.phone) numbers.push([`${vocab.relationships[m.relationship] || m.relationship} ${m.name}`, m.phone]);
    if (file.responsibleCadre && file.responsibleCadre.phone) numbers.push([`包保干部 ${file.responsibleCadre.name}`, file.responsibleCadre.phone]);
    mount(phones, numbers.length ? numbers.map(([label, phone]) => phone.includes("*")
      ? h("p", `${label}：${phone}`)
      : h("p", `${label}：`, h("a.button", { href: `tel:${phone}` }, `拨打 ${phone}`))) : h("p.muted", "档案中没有电话。"));
  };
  draw(f);
  const reveal = session.can("identifiers.reveal") && navigator.onLine
    ? h("button", { type: "button", onclick: async () => {
      const reason = prompt("查看完整号码的原因（将被记录）", "电话联系监护人或家属");
      if (!reason) return;
      try {
        const full = await get(`/v1/persons/${id}${query({ reveal: "identifiers", reason })}`);
        draw(full.file);
      } catch (e) {
        toast(`无法显示号码：${e.message}`, "bad");
      }
    } }, "显示完整号码（需说明原因）")
    : null;
  const years = ageOf(f.birthDate, record.birthYear);
  mount(app.view,
    h("h2", f.name),
    fromCache ? h("p.banner.warn", failure ? `暂时无法读取最新档案（${failure.message}）：显示本机保存的档案` : "离线：显示本机保存的档案") : null,
    h("div.card", h("dl.kv",
      h("dt", "性别 / 年龄"), h("dd", `${vocab.sex[f.sex] || "—"} / ${years ?? "—"} 岁`),
      h("dt", "类别"), h("dd", (f.categories || []).filter((c) => !c.endedOn).map((c) => vocab.categories[c.category] || c.category).join("、") || "—"),
      f.idNumber ? [h("dt", "身份证"), h("dd", f.idNumber)] : null,
      h("dt", "住址"), h("dd", f.currentAddress || "—"),
      f.riskLevel ? [h("dt", "风险"), h("dd", vocab.risk[f.riskLevel] || f.riskLevel)] : null,
      f.child && f.child.schoolStage ? [h("dt", "就学"), h("dd", vocab.schoolStages[f.child.schoolStage] || f.child.schoolStage)] : null,
      f.child && f.child.guardian ? [h("dt", "监护人"), h("dd", `${f.child.guardian.name}（${f.child.guardian.relationship}）`)] : null,
      f.child && f.child.guardianshipConfirmedOn ? [h("dt", "委托监护确认"), h("dd", formatDate(f.child.guardianshipConfirmedOn))] : null,
      record.noCapableGuardian ? [h("dt", "提示"), h("dd", h("span.badge.bad", "无有效监护人"))] : null)),
    h("section.card", h("h3", "联系电话"), phones, reveal),
    h("section.card", h("h3", "求助热线"), h("div.calls", HOTLINES.map(([n, label]) => h("a.button", { href: `tel:${n}` }, `${label} ${n}`)))),
    myKinds().length ? h("div.actions", h("a.button.primary.big", { href: `#/record/${id}` }, "记录走访")) : null,
    session.can("safeguarding.report") ? h("div.actions", h("a.button.danger", { href: `#/report?person=${id}` }, "强制报告")) : null);
}
