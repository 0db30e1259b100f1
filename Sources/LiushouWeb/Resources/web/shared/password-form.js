// The password change form of every web client: policy hint, both new entries must agree, the
// server's 422 shown at its fields.
import { h, field, showFieldErrors } from "./ui.js";
import * as session from "./session.js";
import { message } from "./vocab.js";

/** A form that changes the caller's password and then calls `onDone`; `actions` go beside its button. */
export function passwordForm({ profile, onDone, className = "form.card", actions = [] }) {
  const current = h("input", { name: "currentPassword", type: "password", autocomplete: "current-password", required: true });
  const next = h("input", { name: "newPassword", type: "password", autocomplete: "new-password", required: true });
  const again = h("input", { name: "again", type: "password", autocomplete: "new-password", required: true });
  const error = h("p.field-error", { role: "alert" });
  const form = h(className, { novalidate: true },
    profile && profile.mustChangePassword ? h("p.banner.warn", "首次登录或密码被重置后，请先设置新密码。") : null,
    field("当前密码", current),
    field("新密码", next, { hint: "至少 8 位，包含大写字母、小写字母、数字、符号中的 3 种" }),
    field("再次输入新密码", again), error,
    h("div.actions", h("button.primary", { type: "submit" }, "保存新密码"), actions));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showFieldErrors(form, {});
    error.textContent = "";
    if (next.value !== again.value) {
      showFieldErrors(form, { again: "两次输入的新密码不一致" });
      return;
    }
    try {
      await session.changePassword(current.value, next.value);
      onDone();
    } catch (e) {
      if (e.status === 422) error.textContent = showFieldErrors(form, e.fields, message).join("；");
      else error.textContent = e.offline ? "需要联网才能修改密码" : e.message;
    }
  });
  return form;
}
