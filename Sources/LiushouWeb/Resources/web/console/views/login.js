import { passwordForm } from "../../shared/password-form.js";
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
  const form = passwordForm({ profile, className: "form.card.narrow", onDone: () => { toast("密码已修改"); app.go("#/home"); } });
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
