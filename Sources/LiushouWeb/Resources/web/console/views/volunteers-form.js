// Register a volunteer (the client makes the id once per form, so a retry never registers twice)
// or change one, e.g. record the background check (If-Match; a 412 keeps the typing and shows the
// newer record beside it).
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, get } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { codeSelect, organisations, screening, skills, today } from "./clinics-common.js";

const MESSAGES = [
  [/^send your own UUID/, "缺少编号，请刷新页面后重试"], [/^must be 5 to 20 digits/, "应为 5 至 20 位数字（可含 + - 或空格）"],
  [/^give the date of the background check/, "审查通过或未通过时，须填写审查日期"], [/^must be a town or a village$/, "应为乡镇或村"],
  [/^no such unit in your scope$/, "不在你可管理的单位中"], [/^no such login with the volunteer/, "没有此志愿者或教职工账号"],
  [/^this login already belongs to another volunteer$/, "此账号已关联其他志愿者"], [/already registered here$/, "本名册已登记此公民身份号码"],
  [/^must not repeat a skill$/, "技能不能重复"], [/^must match the volunteer in the path$/, "编号不一致"],
];

export function message(text) {
  for (const [pattern, chinese] of MESSAGES) if (pattern.test(text)) return chinese;
  return vocab.message(text);
}

/** Accounts a volunteer may log in with (volunteer or school staff role), when the caller can list users. */
async function helperAccounts() {
  if (!can("users.read")) return [];
  try {
    const page = await get("/v1/users?kind=user&limit=200");
    return page.items.filter((a) => (a.grants || []).some((g) => ["volunteer", "school_staff"].includes(g.role)));
  } catch {
    return [];
  }
}

function skillChips(selected) {
  return h("fieldset.chips", h("legend", "技能"),
    Object.entries(skills).map(([code, label]) => h("label.chip",
      h("input", { type: "checkbox", name: "skills", value: code, checked: selected.includes(code) ? true : null }), h("span", label))));
}

function readForm(form, id) {
  const value = (name) => (form.elements[name]?.value || "").trim();
  return {
    id, unitId: value("unitId"), accountId: value("accountId") || null, name: value("name"), phone: value("phone") || null,
    idNumber: value("idNumber").toUpperCase() || null, organisation: value("organisation"), organisationName: value("organisationName") || null,
    skills: [...form.querySelectorAll("[name=skills]:checked")].map((c) => c.value), availability: value("availability") || null,
    screening: value("screening"), screenedOn: value("screenedOn") || null,
  };
}

/** The form for a new volunteer (existing null) or for { volunteer, version }. */
export async function volunteerForm(app, existing) {
  const v = existing?.volunteer || { skills: [], screening: "pending", organisation: "party_member" };
  const [scope, accounts] = await Promise.all([units.inScope(["town", "village"]), helperAccounts()]);
  const id = v.id || crypto.randomUUID();
  let version = existing?.version;
  const unitSelect = units.unitSelect(scope, { name: "unitId", value: v.unitId || "" });
  const accountSelect = accounts.length || v.accountId ? h("select", { name: "accountId" }, h("option", { value: "" }, "不关联"),
    v.accountId && !accounts.some((a) => a.id === v.accountId) ? h("option", { value: v.accountId, selected: true }, "（已关联的账号）") : null,
    accounts.map((a) => h("option", { value: a.id, selected: a.id === v.accountId ? true : null }, `${a.displayName || a.username}（${a.username}）`))) : null;
  const save = h("button.primary", { type: "submit", id: existing ? "volunteer-save" : "volunteer-register" }, existing ? "保存修改" : "登记");
  const conflict = h("div.conflict", { hidden: true, role: "alert" });
  const title = existing ? "修改登记信息与背景审查" : "登记志愿者";
  const form = h("form.card.volunteer-form.no-print", { novalidate: true, "aria-labelledby": "volunteer-form-h" },
    conflict,
    h("div.grid",
      field("登记单位", unitSelect, { hint: "乡镇名册，或村自己的名册。" }),
      field("姓名", h("input", { name: "name", maxlength: 50, value: v.name || "", autocomplete: "off" })),
      field("电话", h("input", { name: "phone", type: "tel", maxlength: 20, value: v.phone || "", autocomplete: "off" }), existing ? { hint: "显示为掩码；不改动则保留原号码。" } : {}),
      field("公民身份号码", h("input", { name: "idNumber", maxlength: 18, autocomplete: "off" }), { hint: existing ? `已登记 ${v.idNumber || "无"}；留空则保持不变。` : "选填，加密保存，只显示掩码。" }),
      field("来源", codeSelect("organisation", organisations, v.organisation)),
      field("所在单位或组织", h("input", { name: "organisationName", maxlength: 100, value: v.organisationName || "" })),
      accountSelect ? field("登录账号", accountSelect, { hint: "关联后，志愿者在外勤应用中看到结对对象。" }) : null),
    skillChips(v.skills),
    field("可服务时间", h("input", { name: "availability", maxlength: 500, value: v.availability || "" })),
    h("fieldset.form-section", h("legend", "背景审查"),
      h("div.grid",
        field("审查结果", codeSelect("screening", screening, v.screening), { hint: "只有审查通过的志愿者才能与儿童结对；未通过的不能结对。" }),
        field("审查日期", h("input", { name: "screenedOn", type: "date", max: today(), value: v.screenedOn || "" })))),
    h("div.row", save));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = readForm(form, id);
    if (existing && !body.idNumber) delete body.idNumber;
    save.disabled = true;
    try {
      const response = existing
        ? await api("PUT", `/v1/volunteers/${id}`, { body, ifMatch: version })
        : await api("POST", "/v1/volunteers", { body });
      toast(existing ? "已保存" : "已登记");
      app.go(`#/volunteers/v/${response.data.id}`);
    } catch (error) {
      if (error.status === 422) showFieldErrors(form, error.fields, message);
      else if (error.status === 412) await showConflict().catch(() => toast("他人刚修改了此志愿者；暂时无法取得最新版本，已填写的内容仍在，请稍后再试", "bad"));
      else if (error.status === 409) toast("此编号已登记了内容不同的志愿者：请刷新页面后重新登记。", "bad");
      else toast(error.status === 403 ? "此志愿者登记在你管理的单位之上，不能修改。" : `保存失败：${error.message}（已填写的内容仍在）`, "bad");
    } finally {
      save.disabled = false;
    }
  });
  async function showConflict() {
    const fresh = await api("GET", `/v1/volunteers/${id}`);
    version = fresh.data.version;
    mount(conflict, h("h3", "他人刚修改了此志愿者"),
      h("p", `最新记录：背景审查 ${screening[fresh.data.screening]}${fresh.data.screenedOn ? `（${fresh.data.screenedOn}）` : ""}，电话 ${fresh.data.phone || "—"}，来源 ${organisations[fresh.data.organisation]}。`),
      h("p", "你填写的内容仍在下方；核对后再次保存将以你填写的为准。"));
    conflict.hidden = false;
    conflict.scrollIntoView({ block: "center" });
  }
  return h("section", { "aria-labelledby": "volunteer-form-h" }, h("h2", { id: "volunteer-form-h" }, title), form);
}
