// 学校关爱: Chinese labels of the schools API's codes and the small form helpers its screens share.
import { h, field, showFieldErrors, toast } from "../../shared/ui.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { profile } from "../../shared/session.js";

export const rollStatus = { enrolled: "在读", suspended: "休学", long_absence: "长期缺勤", dropped_out: "辍学", transferred_out: "转出", completed: "毕业" };
export const stages = { kindergarten: "幼儿园", primary: "小学", junior_secondary: "初中", senior_secondary: "高中", vocational: "中职" };
export const topics = { study: "学习", family: "家庭", friends: "同伴交往", health: "身体健康", safety: "安全", feelings: "情绪心理", other: "其他" };
export const moods = { good: "良好", ordinary: "一般", low: "低落", worrying: "令人担忧" };
export const risks = { low: "低", medium: "中", high: "高" };
export const contactKinds = {
  phone: "亲情电话", video: "视频通话", letter: "书信", class_teacher: "家长与班主任联系", subject_teacher: "家长与任课教师联系",
  home_visit: "父母回家探望", school_feedback: "学校向家长反馈",
};
export const members = { father: "父亲", mother: "母亲", both_parents: "父母双方", other_family: "其他家人" };
export const subjects = { chinese: "语文", mathematics: "数学", english: "英语", science: "科学", reading: "阅读", other: "其他" };
export const progress = { improved: "进步", steady: "保持", declined: "退步" };
export const closedHow = { returned: "已返校", closed_by_town: "乡镇关闭" };

const STATUS_BADGE = { enrolled: "ok", dropped_out: "bad", long_absence: "warn", suspended: "warn" };

export function statusBadge(status) {
  return h(`span.badge${STATUS_BADGE[status] ? "." + STATUS_BADGE[status] : ""}`, rollStatus[status] || status);
}

export function gradeText(e) {
  return `${stages[e.stage] || e.stage} ${e.grade} 年级${e.className ? ` · ${e.className}` : ""}`;
}

/** Today and this month in China time ("2026-03-15", "2026-03"). */
export function chinaToday() {
  return new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
}
export function chinaMonth() {
  return chinaToday().slice(0, 7);
}

export function select(name, options, { value = "", empty = null } = {}) {
  return h("select", { name }, empty !== null ? h("option", { value: "" }, empty) : null,
    Object.entries(options).map(([code, label]) => h("option", { value: code, selected: code === value ? true : null }, label)));
}

/** Checkbox chips (several choices); `prefix` keeps ids unique on a page with several such groups. */
export function chips(legend, name, options, prefix) {
  return h("fieldset.chips", { dataset: { field: name } }, h("legend", legend),
    Object.entries(options).map(([code, label], i) => h("label.chip",
      h("input", { type: "checkbox", name, value: code, id: i === 0 ? `${prefix}-${name}` : null }), h("span", label))));
}

export function checked(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
}

/** Text of an optional field: null when blank (the API refuses blank optional text). */
export function optional(control) {
  const value = control.value.trim();
  return value ? value : null;
}

export function textarea(name, max, rows = 3) {
  return h("textarea", { name, maxlength: max, rows });
}

export function dateInput(name, value = chinaToday()) {
  return h("input", { name, type: "date", value, max: chinaToday() });
}

/** The message for an error answer, in Chinese. */
export function problemText(error, what = "操作") {
  if (error.offline) return "网络不可用，请稍后重试（再次提交不会重复记录）";
  if (error.status === 403) return `你的角色不能进行此${what}`;
  if (error.status === 404) return "找不到此记录，或不在你的工作范围内";
  if (error.status === 409 && error.problem.code === "id_conflict") return "上次提交已保存了不同的内容，请刷新页面查看";
  return `${what}失败：${error.message}`;
}

/**
 * Wires a form's submit: the button is disabled while the request runs; 422 field errors show at their
 * fields (the typing stays); `send(id)` gets a client id made once per record and reused by retries of
 * the same record (a new one only after success), so a retry never records twice. On 412,
 * `conflict(error)` reloads the record's fresh version and answers the message to show; `forbidden`
 * replaces the general message for a 403.
 */
export function onSubmit(form, send, { what = "保存", done, conflict, forbidden } = {}) {
  let id = crypto.randomUUID();
  const status = h("p.field-error", { role: "alert" });
  form.append(status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button.disabled) return;
    button.disabled = true;
    status.textContent = "";
    showFieldErrors(form, {});
    try {
      const result = await send(id);
      id = crypto.randomUUID();
      if (done) await done(result);
    } catch (error) {
      if (error.status === 422) {
        const rest = showFieldErrors(form, error.fields, vocab.message);
        // Checkbox chips have no error box of their own: their messages go to the form's status line.
        for (const [name, text] of Object.entries(error.fields)) {
          const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
          if (control && !document.getElementById(`${control.id}-error`)) rest.push(`${control.closest("fieldset")?.querySelector("legend")?.textContent || name}：${vocab.message(text)}`);
        }
        status.textContent = rest.length ? rest.join("；") : "请修改标出的内容";
      } else if (error.status === 412 && conflict) {
        status.textContent = await conflict(error).catch(() => "记录刚被他人修改；暂时无法取得最新情况，你填写的内容仍在，请稍后再试。");
      } else {
        status.textContent = error.status === 409 && error.problem.code === "id_conflict"
          ? "这条记录上次已保存（可能在网络中断前），内容与本次不同：请刷新页面核对，不要重复录入。"
          : error.status === 403 && forbidden ? forbidden : problemText(error, what);
        toast(status.textContent, "bad");
      }
    } finally {
      button.disabled = false;
    }
  });
  return status;
}

/** The schools the caller works at (school grants) or oversees (schools of the towns in scope). */
export async function callerSchools() {
  const grants = profile()?.grants || [];
  const granted = (await Promise.all([...new Set(grants.map((g) => g.unitId))].map(units.unit))).filter(Boolean);
  const own = granted.filter((u) => u.kind === "school");
  const above = granted.some((u) => ["county", "town"].includes(u.kind)) ? await units.schools() : [];
  const all = [...own, ...above.filter((s) => !own.some((o) => o.id === s.id))];
  return all.sort((a, b) => a.path.localeCompare(b.path));
}

export { field };
