// The sign-in form of the field app and the console (the dashboard page keeps its own, in its HTML):
// the notice a previous session left, both fields required,
// the submit button held while the request runs, the server's answers in Chinese.
import { h, field, showFieldErrors } from "./ui.js";
import * as session from "./session.js";
import { message } from "./vocab.js";

/**
 * A form that signs in and hands the profile and the password typed to `onDone` (the field app keeps
 * an offline verifier of it). `banners` go above the fields; `offlineText` is said when the server
 * cannot be reached.
 */
export function loginForm({ className, heading = null, banners = [], buttonClass = "button.primary", offlineText, onDone }) {
  const notice = localStorage.getItem("liushou.notice");
  localStorage.removeItem("liushou.notice");
  const username = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p.field-error", { role: "alert", id: "login-error" });
  const submit = h(buttonClass, { type: "submit" }, "登录");
  const form = h(className, { novalidate: true },
    heading ? h("h2", heading) : null,
    notice ? h("p.banner.warn", notice) : null,
    banners,
    field("用户名", username), field("密码", password), error, submit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!username.value.trim() || !password.value) {
      error.textContent = "请输入用户名和密码";
      return;
    }
    submit.disabled = true;
    try {
      const profile = await session.login(username.value.trim(), password.value);
      await onDone(profile, password.value);
    } catch (e) {
      if (e.offline) error.textContent = offlineText;
      else if (e.status === 401) error.textContent = "用户名或密码错误，或账号已被锁定（连续 5 次错误锁定 15 分钟）";
      else if (e.status === 422 || e.status === 400) showFieldErrors(form, e.fields, message);
      else error.textContent = `登录失败：${e.message}`;
    } finally {
      submit.disabled = false;
    }
  });
  return { form, focus: () => username.focus() };
}
