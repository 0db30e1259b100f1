// The second factor of every web client: the code a session owes after the password, and the
// enrolment of an authenticator app (QR code, the secret to type in, recovery codes shown once).
import { h, field } from "./ui.js";
import { post } from "./api.js";
import * as session from "./session.js";

const CODE = { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9 ]*", maxlength: "8" };

function explain(e, fallback) {
  if (e.offline) return "需要联网才能验证";
  if (e.status === 429) return `错误次数过多，请 ${Math.ceil((e.retryAfter || 900) / 60)} 分钟后再试`;
  if (e.status === 422) return fallback;
  if (e.status === 409 && e.problem.code === "already_enrolled") return "此账号已绑定身份验证器。手机丢失请联系上级管理员重置。";
  if (e.status === 409 && e.problem.code === "enrolment_replaced") return "绑定已在其他窗口重新开始：请刷新本页，扫描新的二维码。";
  return e.message;
}

/** The code step after the password: a code from the app, or one recovery code. */
export function codeForm({ onDone, onSessionEnded, className = "form.card", actions = [] }) {
  const code = h("input", { name: "code", required: true, ...CODE });
  const recovery = h("input", { name: "recoveryCode", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", maxlength: "32" });
  const recoveryField = field("恢复码", recovery, { hint: "手机不在身边时，输入一个未用过的恢复码（每个只能用一次）" });
  recoveryField.hidden = true;
  const codeField = field("6 位验证码", code, { hint: "打开手机上的身份验证器，输入“Liushou”下显示的 6 位数字" });
  const error = h("p.field-error", { role: "alert" });
  const toggle = h("button.link", { type: "button" }, "改用恢复码");
  toggle.addEventListener("click", () => {
    const useRecovery = recoveryField.hidden;
    recoveryField.hidden = !useRecovery;
    codeField.hidden = useRecovery;
    toggle.textContent = useRecovery ? "改用验证码" : "改用恢复码";
    (useRecovery ? recovery : code).focus();
  });
  const form = h(className, { novalidate: true },
    h("p", "你的账号已开启双因素认证。请输入身份验证器上的验证码。"),
    codeField, recoveryField, error,
    h("div.actions", h("button.primary", { type: "submit" }, "验证"), toggle, actions));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const body = recoveryField.hidden ? { code: code.value.replace(/\s/g, "") } : { recoveryCode: recovery.value.trim() };
    if (!body.code && !body.recoveryCode) {
      error.textContent = recoveryField.hidden ? "请输入 6 位验证码" : "请输入恢复码";
      return;
    }
    try {
      const answer = await post("/v1/auth/two-factor/verify", body);
      const profile = await session.refresh();
      onDone(profile, answer.recoveryCodesLeft);
    } catch (e) {
      if (e.status === 401) return onSessionEnded();
      error.textContent = explain(e, recoveryField.hidden ? "验证码不正确（请确认手机时间准确）" : "恢复码不正确或已用过");
      (recoveryField.hidden ? code : recovery).select();
    }
  });
  setTimeout(() => code.focus());
  return form;
}

/** Enrolment: asks the server for a secret, shows it as a QR code and as text, confirms a code, then shows the recovery codes. */
export async function enrolment({ onDone, onSessionEnded = () => {}, className = "section.card" }) {
  // Imported when an enrolment starts (the service worker has it cached with the other shared modules).
  let qrSVG, enrol;
  try {
    [{ qrSVG }, enrol] = await Promise.all([import("./qr.js"), post("/v1/auth/two-factor/enrol", {})]);
  } catch (e) {
    // Enrolled meanwhile in another session: this one now owes a code instead.
    if (e.status === 409 || (e.status === 403 && e.problem.code === "second_factor_required")) {
      const profile = await session.refresh();
      return h(className, h("p.banner.warn", { role: "status" }, "此账号已在别处绑定身份验证器。"),
        h("div.actions", h("button.primary", { type: "button", onclick: () => onDone(profile) }, "输入验证码")));
    }
    throw e;
  }
  const code = h("input", { name: "code", required: true, ...CODE });
  const error = h("p.field-error", { role: "alert" });
  const grouped = enrol.secret.match(/.{1,4}/g).join(" ");
  const box = h(className);
  const form = h("form", { novalidate: true },
    h("ol.steps",
      h("li", "在手机上安装身份验证器（如企业微信、Microsoft Authenticator、Google 身份验证器）。"),
      h("li", "用它扫描下面的二维码；无法扫码时，手动输入密钥。"),
      h("li", "输入身份验证器显示的 6 位验证码，完成绑定。")),
    h("figure.qr", qrSVG(document, enrol.uri, { moduleSize: 5, label: "身份验证器二维码" }),
      h("figcaption", "密钥：", h("code.secret", { "aria-label": "密钥" }, grouped))),
    field("6 位验证码", code), error,
    h("div.actions", h("button.primary", { type: "submit" }, "完成绑定")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const value = code.value.replace(/\s/g, "");
    if (!/^\d{6}$/.test(value)) {
      error.textContent = "请输入 6 位数字验证码";
      return;
    }
    try {
      const { recoveryCodes } = await post("/v1/auth/two-factor/confirm", { code: value, enrolment: enrol.enrolment });
      const profile = await session.refresh();
      box.replaceChildren(recoveryList(recoveryCodes, () => onDone(profile)));
    } catch (e) {
      if (e.status === 401) return onSessionEnded();
      error.textContent = explain(e, "验证码不正确（请确认手机时间准确，并输入最新的验证码）");
      code.select();
    }
  });
  box.append(form);
  return box;
}

function recoveryList(codes, onDone) {
  const saved = h("button.primary", { type: "button" }, "我已妥善保存，继续");
  saved.addEventListener("click", onDone);
  const printButton = h("button", { type: "button" }, "打印恢复码");
  printButton.addEventListener("click", () => window.print());
  return h("div.recovery",
    h("p.banner.ok", { role: "status" }, "绑定成功。以后登录时需要输入身份验证器上的验证码。"),
    h("h2", "恢复码（只显示这一次）"),
    h("p", "手机丢失或无法使用时，每个恢复码可代替验证码登录一次。请打印或抄写后妥善保管，不要拍照发给他人。"),
    h("ol.recovery-codes", codes.map((c) => h("li", h("code", c)))),
    h("div.actions", saved, printButton));
}
