import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import * as session from "../../shared/session.js";
import { message, roles as roleNames } from "../../shared/vocab.js";
import { menuFor } from "../menu.js";
import { name as unitName } from "../units.js";

export async function loginView({ app }) {
  const notice = localStorage.getItem("liushou.notice");
  localStorage.removeItem("liushou.notice");
  document.getElementById("toast")?.classList.remove("show");
  const username = h("input", { name: "username", autocomplete: "username", required: true, autocapitalize: "off", spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p.field-error", { role: "alert", id: "login-error" });
  const form = h("form.card.narrow", { novalidate: true },
    notice ? h("p.banner.warn", notice) : null,
    field("用户名", username), field("密码", password), error, h("button.primary", { type: "submit" }, "登录"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!username.value.trim() || !password.value) {
      error.textContent = "请输入用户名和密码";
      return;
    }
    try {
      const profile = await session.login(username.value.trim(), password.value);
      app.go(profile.mustChangePassword ? "#/password" : "#/home");
    } catch (e) {
      if (e.status === 401) error.textContent = "用户名或密码错误，或账号已被锁定（连续 5 次错误锁定 15 分钟）";
      else if (e.status === 422 || e.status === 400) showFieldErrors(form, e.fields, message);
      else error.textContent = e.offline ? "无法连接服务器" : `登录失败：${e.message}`;
    }
  });
  mount(app.view, h("h1", "登录工作台"), form);
  username.focus();
}

export async function passwordView({ app, profile }) {
  const current = h("input", { name: "currentPassword", type: "password", autocomplete: "current-password" });
  const next = h("input", { name: "newPassword", type: "password", autocomplete: "new-password" });
  const again = h("input", { name: "again", type: "password", autocomplete: "new-password" });
  const error = h("p.field-error", { role: "alert" });
  const form = h("form.card.narrow", { novalidate: true },
    profile.mustChangePassword ? h("p.banner.warn", "首次登录或密码被重置后，请先设置新密码。") : null,
    field("当前密码", current),
    field("新密码", next, { hint: "至少 8 位，包含大写字母、小写字母、数字、符号中的 3 种" }),
    field("再次输入新密码", again), error,
    h("div.actions", h("button.primary", { type: "submit" }, "保存新密码")));
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
      toast("密码已修改");
      app.go("#/home");
    } catch (e) {
      if (e.status === 422) error.textContent = showFieldErrors(form, e.fields, message).join("；");
      else error.textContent = e.message;
    }
  });
  mount(app.view, h("h1", "修改密码"), form);
}

export async function homeView({ app, profile }) {
  const groups = menuFor(profile);
  const names = await Promise.all((profile.grants || []).map((g) => unitName(g.unitId)));
  mount(app.view,
    h("h1", "工作台"),
    h("section.card", { "aria-labelledby": "me-h" }, h("h2", { id: "me-h" }, "我的角色"),
      h("ul", (profile.grants || []).map((g, i) => h("li", `${roleNames[g.role] || g.role}`, h("span.muted", ` · ${names[i]}`))))),
    groups.map((g) => h("section.card", h("h2", g.group), h("div.row", g.items.map((i) => h("a.button", { href: i.href || `#/${i.route}` }, i.label))))));
}
