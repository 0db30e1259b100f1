// Pieces shared by the alert administration pages (rules, channels, deliveries).
import { h, showFieldErrors } from "../../shared/ui.js";
import { alertMessage } from "../../shared/alerts.js";

/**
 * Checkboxes as chips under one legend; the first box carries the id the server's field error for
 * `name` is shown under (showFieldErrors finds it by name).
 */
export function chips(name, legend, options, selected = [], { hint } = {}) {
  const first = `alerts-${name}`;
  return h("fieldset.chips", { dataset: { field: name }, "aria-describedby": `${first}-error` }, h("legend", legend),
    Object.entries(options).map(([value, label], i) => h("label.chip",
      h("input", { type: "checkbox", name, value, id: i === 0 ? first : null, checked: (selected || []).includes(value) || null }), h("span", label))),
    hint ? h("p.hint.chips-hint", hint) : null,
    h("p.field-error.chips-error", { id: `${first}-error`, role: "alert" }));
}

export function chosen(form, name) {
  return [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
}

/** A failed request in Chinese, with the cases these pages meet. */
export function failure(error) {
  if (error.offline) return "网络不可用，请联网后重试";
  if (error.status === 403) return "你没有权限执行此操作";
  if (error.status === 404) return "记录不存在，或不在你的管理范围内";
  return `操作失败：${error.message}`;
}

/**
 * A refused save of a form: a 422 or 400 at its fields (what has no field goes into `notice`),
 * anything else in `notice`. What the user typed stays in the form.
 */
export function showRefusal(form, notice, error) {
  if (error.status === 422 || error.status === 400) {
    const rest = showFieldErrors(form, error.fields, alertMessage);
    if (rest.length) notice.replaceChildren(h("p.banner.bad", { role: "alert" }, rest.join("；")));
  } else notice.replaceChildren(h("p.banner.bad", { role: "alert" }, failure(error)));
}
