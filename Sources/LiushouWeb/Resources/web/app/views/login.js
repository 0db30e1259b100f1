import { loginForm } from "../../shared/login-form.js";
import { passwordForm } from "../../shared/password-form.js";
import { codeForm } from "../../shared/two-factor.js";
import { h, mount, field, toast } from "../../shared/ui.js";
import * as session from "../../shared/session.js";
import { clearDevice } from "../data.js";
import { isLocked, unlock, rememberVerifier, verifyOffline, canVerifyOffline } from "../lock.js";

export async function loginView({ app }) {
  const { form, focus } = loginForm({
    className: "form.card.login",
    heading: "登录",
    buttonClass: "button.primary.big",
    banners: [navigator.onLine ? null : h("p.banner.warn", "现在没有网络：登录需要联网。已记录的走访保存在本机，联网后登录即可上传。")],
    offlineText: "无法连接服务器，请联网后再登录",
    onDone: async (profile, password) => {
      // Another account's records and cached files leave the phone before this one's arrive.
      const previous = localStorage.getItem("liushou.lastAccount");
      if (previous && previous !== profile.accountId) await clearDevice();
      localStorage.setItem("liushou.lastAccount", profile.accountId);
      unlock();
      await rememberVerifier(profile.accountId, profile.username, password).catch(() => {});
      if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
      app.go(session.owesSecondFactor(profile) ? "#/second-factor" : profile.mustChangePassword ? "#/password" : "#/today");
      app.sync();
    },
  });
  mount(app.view, form);
  focus();
}

/** The idle lock: the same user unlocks with the password (offline against the kept verifier). */
export async function lockView({ app, profile }) {
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const error = h("p.field-error", { role: "alert" });
  const form = h("form.card.login", { novalidate: true },
    h("h2", "已锁定"),
    h("p", `30 分钟未操作，已锁定。${profile.username}，请输入密码继续。`),
    navigator.onLine || canVerifyOffline() ? null : h("p.banner.warn", "此浏览器不能离线解锁，请联网后登录。"),
    field("密码", password), error,
    h("div.actions", h("button.primary.big", { type: "submit" }, "解锁"),
      h("button", { type: "button", onclick: () => session.logout().then(() => { unlock(); app.go("#/login"); }) }, "退出并换账号")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!password.value) return;
    try {
      if (navigator.onLine) {
        const fresh = await session.login(profile.username, password.value);
        await rememberVerifier(fresh.accountId, fresh.username, password.value).catch(() => {});
      } else if (!(await verifyOffline(profile.accountId, password.value))) {
        error.textContent = "密码不正确";
        return;
      }
      session.touch();
      unlock();
      app.go("#/today");
      app.render();
      app.sync();
    } catch (e) {
      if (e.offline && (await verifyOffline(profile.accountId, password.value))) {
        session.touch();
        unlock();
        app.go("#/today");
        app.render();
        return;
      }
      error.textContent = e.status === 401 ? "密码不正确，或账号已被锁定" : `解锁失败：${e.message}`;
    }
  });
  mount(app.view, form);
  password.focus();
}

export { isLocked };

export async function passwordView({ app, profile }) {
  const form = passwordForm({
    profile, className: "form.card.login",
    onDone: () => { toast("密码已修改"); app.go("#/today"); },
    actions: [h("button", { type: "button", onclick: () => session.logout().then(() => app.go("#/login")) }, "退出登录")],
  });
  form.prepend(h("h2", "修改密码"));
  mount(app.view, form);
}

/** The code a session owes after the password; enrolment itself happens in the console (工作台). */
export async function secondFactorView({ app, profile }) {
  if (profile.secondFactor === "enrol") {
    const out = h("button.big", { type: "button" }, "退出登录");
    out.addEventListener("click", () => session.logout().then(() => app.go("#/login")));
    mount(app.view, h("section.card", h("h2", "需要绑定身份验证器"),
      h("p.banner.warn", "你的角色要求使用双因素认证。请先在电脑上登录工作台（/console/）绑定手机上的身份验证器，再回到这里登录。"), out));
    return;
  }
  const out = h("button", { type: "button" }, "退出登录");
  out.addEventListener("click", () => session.logout().then(() => app.go("#/login")));
  mount(app.view, h("h2", "双因素认证"), codeForm({
    actions: [out],
    className: "form.card",
    onDone: (fresh, left) => {
      if (left !== undefined && left !== null) toast(`已使用恢复码，还剩 ${left} 个`);
      app.go(fresh.mustChangePassword ? "#/password" : "#/today");
      app.sync();
    },
    // The session ended on the server; records still waiting to upload stay on the phone (no forget, which clears them).
    onSessionEnded: () => {
      localStorage.setItem("liushou.notice", "验证码错误次数过多，请重新登录。未上传的记录仍在本机，登录后自动上传。");
      localStorage.removeItem("liushou.profile");
      app.go("#/login");
    },
  }));
}
