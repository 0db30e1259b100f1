// Small DOM helpers shared by the web clients. Text goes in as text (never as HTML), so no value
// from the server can become markup.

/** h("button.primary", { onclick, type: "button" }, "保存") */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "className") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(target, ...children) {
  target.replaceChildren();
  append(target, children);
}

let toastTimer = null;
/** A short message at the bottom of the screen, read out by screen readers. */
export function toast(message, kind = "info") {
  let box = document.getElementById("toast");
  if (!box) {
    box = h("div.toast", { id: "toast", role: "status", "aria-live": "polite" });
    document.body.append(box);
  }
  box.textContent = message;
  box.className = `toast show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.className = "toast"), 4000);
}

const CHINA = "Asia/Shanghai";
const dateTime = new Intl.DateTimeFormat("zh-CN", { timeZone: CHINA, month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false });
const dateOnly = new Intl.DateTimeFormat("zh-CN", { timeZone: CHINA, year: "numeric", month: "2-digit", day: "2-digit" });

/** "12/3 08:05" in China time. */
export function formatTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : "—";
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)).replaceAll("/", "-") : "—";
}

/** "3 小时前", "2 天后". */
export function relative(iso, now = Date.now()) {
  if (!iso) return "从未";
  const minutes = Math.round((Date.parse(iso) - now) / 60000);
  const abs = Math.abs(minutes);
  const text = abs < 60 ? `${abs} 分钟` : abs < 48 * 60 ? `${Math.round(abs / 60)} 小时` : `${Math.round(abs / 1440)} 天`;
  if (abs < 1) return "刚刚";
  return minutes < 0 ? `${text}前` : `${text}后`;
}

/** The value for an <input type="datetime-local"> of an instant, in the device's time zone. */
export function localInputValue(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Age in whole years from "YYYY-MM-DD". */
export function age(birthDate, now = new Date()) {
  if (!birthDate) return null;
  const [y, m, d] = birthDate.split("-").map(Number);
  let years = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) years -= 1;
  return years;
}

/**
 * Age in years from the birth date when the view has it, else from the birth year alone (masked
 * answers carry only `birthYear`: the full date would give the ID number back); null when neither.
 */
export function ageOf(birthDate, birthYear, now = new Date()) {
  return age(birthDate, now) ?? (birthYear ? now.getFullYear() - birthYear : null);
}

/** A labelled field: the label wraps nothing, it names the control by id (for screen readers and taps). */
let fieldCounter = 0;
export function field(label, control, { hint, error } = {}) {
  const id = control.id || `f${++fieldCounter}`;
  control.id = id;
  const errorId = `${id}-error`;
  const errorBox = h("p.field-error", { id: errorId, role: "alert" }, error || "");
  if (error) control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", errorId);
  return h("div.field", { dataset: { field: control.name || "" } }, h("label", { for: id }, label), control, hint ? h("p.hint", hint) : null, errorBox);
}

/** Shows the server's field errors next to their fields (by the controls' names); returns those not shown. */
export function showFieldErrors(form, errors, translate = (m) => m) {
  for (const box of form.querySelectorAll(".field-error")) box.textContent = "";
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  const rest = [];
  for (const [name, message] of Object.entries(errors || {})) {
    const control = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (control) {
      control.setAttribute("aria-invalid", "true");
      const box = document.getElementById(`${control.id}-error`);
      if (box) box.textContent = translate(message);
    } else {
      rest.push(`${name}: ${translate(message)}`);
    }
  }
  const first = form.querySelector("[aria-invalid]");
  if (first) first.focus();
  return rest;
}
