// 单条录入: one checkup as JSON; the server's plausibility errors show at their fields. The clinic's
// record id makes a retry safe (same id, same content: "duplicate"), so it is made once per form.
import { h, field, showFieldErrors } from "../../shared/ui.js";
import { api } from "../../shared/api.js";
import { profile } from "../../shared/session.js";
import * as units from "../units.js";
import { CHINESE, checkupKinds, codeSelect, measurements, personFinder, today, unitText } from "./clinics-common.js";

function newRecordId() {
  return `WEB-${today().replaceAll("-", "")}-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
}

/** The clinics the caller works for (clinic_staff grants). */
async function myClinics() {
  const ids = [...new Set((profile()?.grants || []).filter((g) => g.role === "clinic_staff").map((g) => g.unitId))];
  return Promise.all(ids.map(async (id) => ({ id, name: await units.name(id) })));
}

function measurementFields() {
  return h("fieldset.form-section", h("legend", "测量值（不测的留空）"),
    h("div.grid", Object.entries(measurements).map(([code, [label, unit]]) =>
      field(`${label}（${unitText(unit)}）`, h("input", { name: `m.${code}`, type: "number", step: "any", inputmode: "decimal" })))));
}

/** The JSON body, and the measurement name sent at each index (to place errors). */
function checkupBody(form, clinicId) {
  const value = (name) => (form.elements[name]?.value || "").trim();
  const sent = Object.keys(measurements).filter((code) => value(`m.${code}`) !== "");
  return {
    sent,
    body: {
      recordId: value("recordId"),
      personId: value("personId") || null,
      idNumber: value("personId") ? null : value("idNumber").toUpperCase() || null,
      clinicId: clinicId || null,
      checkedOn: value("checkedOn"),
      kind: value("kind"),
      measurements: sent.map((code) => ({ name: code, value: Number(value(`m.${code}`)), unit: measurements[code][1] })),
      diagnoses: value("diagnoses") ? value("diagnoses").split(/[;；]/).map((d) => d.trim()).filter(Boolean) : [],
      findings: value("findings") || null,
      followUpNeeded: form.elements.followUpNeeded.checked,
      clinician: value("clinician"),
    },
  };
}

/** Messages the server leaves in English, in Chinese. */
function chinese(text) {
  return text.replace(/^diastolic pressure must be below the systolic$/, "舒张压应低于收缩压")
    .replace(/^name the person by exactly one of personId and idNumber$/, "请选择人员，或填写公民身份号码（二者选一）")
    .replace(/^name the clinic: you work for several$/, "你在多家医疗机构工作，请选择医疗机构")
    .replace(/^at most 20 diagnoses of 1 to 100 characters each$/, "最多 20 个诊断，每个 1 至 100 个字");
}

/** Field errors keyed by the form's control names ("measurements[1].value" → "m.systolic"). */
function errorsForForm(fields, sent) {
  const out = {};
  for (const [path, message] of Object.entries(fields)) {
    const m = path.match(/^measurements\[(\d+)\]/);
    const name = m ? `m.${sent[Number(m[1])]}` : path === "personId" ? "personId" : path;
    out[name] = out[name] ? `${out[name]}；${chinese(message)}` : chinese(message);
  }
  return out;
}

export async function checkupEntry() {
  const clinics = await myClinics();
  const finder = personFinder({ name: "personId", label: "受检人员", id: "checkup-person", filters: { status: "active" } });
  const clinicSelect = clinics.length > 1
    ? h("select", { name: "clinicId" }, clinics.map((c) => h("option", { value: c.id }, c.name))) : null;
  let recordId = newRecordId();
  const recordInput = h("input", { name: "recordId", maxlength: 64, value: recordId, autocomplete: "off" });
  const save = h("button.primary", { type: "submit", id: "checkup-save" }, "保存体检记录");
  const outcome = h("div", { "aria-live": "polite", id: "checkup-outcome" });
  const form = h("form.card.checkup-form", { novalidate: true, "aria-labelledby": "entry-h" },
    h("div.grid",
      field("院内记录号", recordInput, { hint: "院内系统的记录号；同一记录号重复提交不会重复记录。" }),
      clinicSelect ? field("医疗机构", clinicSelect) : null,
      field("检查日期", h("input", { name: "checkedOn", type: "date", value: today(), max: today() })),
      field("检查类型", codeSelect("kind", checkupKinds, "elder_annual")),
      field("医生", h("input", { name: "clinician", maxlength: 50, autocomplete: "name" }))),
    h("fieldset.form-section", h("legend", "受检人员"),
      finder.element,
      field("或填公民身份号码", h("input", { name: "idNumber", maxlength: 18, autocomplete: "off" }), { hint: "没有在上面选择人员时，按号码在本院服务的村中查找。" })),
    measurementFields(),
    field("诊断", h("input", { name: "diagnoses", maxlength: 2000 }), { hint: "多个诊断用“；”分隔。" }),
    field("检查所见", h("textarea", { name: "findings", maxlength: 4000, rows: 3 })),
    field("需要随访", h("input", { name: "followUpNeeded", type: "checkbox" }), { hint: "勾选后，本院和村儿童主任各收到一条健康跟进。" }),
    h("div.row", save), outcome);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { body, sent } = checkupBody(form, clinicSelect?.value);
    save.disabled = true;
    outcome.replaceChildren();
    try {
      const response = await api("POST", "/v1/checkups", { body, headers: CHINESE });
      showFieldErrors(form, {});
      const created = response.status === 201;
      outcome.replaceChildren(h("p", { className: `banner ${created ? "ok" : "warn"}`, role: "status" },
        created ? `已记录（记录号 ${body.recordId}）。可继续录入下一条。` : `记录号 ${body.recordId} 已上传过，内容相同，未重复记录。`));
      // The next entry starts empty: never the previous person, number or measurements.
      form.reset();
      recordId = newRecordId();
      recordInput.value = recordId;
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, errorsForForm(error.fields, sent));
        outcome.replaceChildren(h("p.banner.bad", { role: "alert" }, "有内容需要改正，见标红的栏目。", rest.length ? ` ${rest.join("；")}` : ""));
      } else if (error.status === 409) {
        showFieldErrors(form, { recordId: "此记录号已用于内容不同的另一条记录：请核对，或换一个记录号" });
        outcome.replaceChildren(h("p.banner.bad", { role: "alert" }, "记录号冲突，未保存。"));
      } else {
        outcome.replaceChildren(h("p.banner.bad", { role: "alert" }, error.status === 403 ? "你的角色不能录入体检记录。" : `保存失败：${error.message}（已填写的内容仍在，可再试）`));
      }
    } finally {
      save.disabled = false;
    }
  });
  return h("section", { "aria-labelledby": "entry-h" }, h("h2", { id: "entry-h" }, "录入一条体检记录"), form);
}
