import { loginForm } from "../../shared/login-form.js";
import { passwordForm } from "../../shared/password-form.js";
import { codeForm, enrolment } from "../../shared/two-factor.js";
import { h, mount, toast } from "../../shared/ui.js";
import * as session from "../../shared/session.js";
import { roles as roleNames } from "../../shared/vocab.js";
import { menuFor } from "../menu.js";
import { name as unitName } from "../units.js";

export async function loginView({ app }) {
  document.getElementById("toast")?.classList.remove("show");
  const { form, focus } = loginForm({
    className: "form.card.narrow",
    offlineText: "无法连接服务器",
    onDone: (profile) => app.go(nextStep(profile)),
  });
  mount(app.view, h("h1", "登录工作台"), form);
  focus();
}

/** Where a session goes next: its second factor first, then a pending password change, then home. */
export function nextStep(profile) {
  if (profile.secondFactor === "pending") return "#/second-factor";
  if (profile.secondFactor === "enrol") return "#/two-factor";
  return profile.mustChangePassword ? "#/password" : "#/home";
}

export async function secondFactorView({ app }) {
  const form = codeForm({
    className: "form.card.narrow",
    onDone: (profile, left) => {
      if (left !== undefined && left !== null) toast(`已使用恢复码，还剩 ${left} 个`);
      app.go(nextStep(profile));
    },
    onSessionEnded: () => session.forget("验证码错误次数过多，请重新登录。").then(() => app.go("#/login")),
  });
  mount(app.view, h("h1", "双因素认证"), form);
}

export async function twoFactorView({ app, profile }) {
  if (profile.twoFactorEnrolled && profile.secondFactor !== "enrol") {
    mount(app.view, h("h1", "双因素认证"), h("section.card.narrow",
      h("p.banner.ok", "已绑定身份验证器。"),
      h("p", "手机丢失或更换时，请联系上级管理员重置，然后重新登录绑定。")));
    return;
  }
  const required = profile.secondFactor === "enrol";
  const card = await enrolment({
    className: "section.card.narrow",
    onDone: (fresh) => app.go(nextStep(fresh)),
    onSessionEnded: () => session.forget("验证码错误次数过多，请重新登录。").then(() => app.go("#/login")),
  });
  mount(app.view, h("h1", "绑定身份验证器"),
    required ? h("p.banner.warn", "你的角色要求使用双因素认证：绑定身份验证器后才能继续使用工作台。") : null, card);
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
      h("ul", (profile.grants || []).map((g, i) => h("li", `${roleNames[g.role] || g.role}`, h("span.muted", ` · ${names[i]}`)))),
      h("p", profile.twoFactorEnrolled ? "双因素认证：已开启" : "双因素认证：未开启 ",
        profile.twoFactorEnrolled ? null : h("a", { href: "#/two-factor" }, "绑定身份验证器"))),
    groups.map((g) => h("section.card", h("h2", g.group), h("div.row", g.items.map((i) => h("a.button", { href: i.href || `#/${i.route}` }, i.label))))));
}
