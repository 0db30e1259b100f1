// The one API client of the web clients: same-origin fetch with the session cookie, the CSRF
// header on every change, RFC 9457 problems as ApiError, and a time limit on every call.

const HAN = /[\u4e00-\u9fff]/;

/** A Chinese sentence for an answer whose own text is not Chinese (the server's English detail). */
function chineseMessage(status, problem, offline) {
  const text = problem && (problem.detail || problem.title);
  if (text && HAN.test(text)) return text;
  if (offline) return "网络不可用";
  const byCode = {
    id_conflict: "这条记录已保存过，内容与本次不同",
    version_mismatch: "记录已被他人修改，请刷新后重试",
    if_match_required: "请刷新页面后重试",
    idempotency_key_reused: "这次操作已提交过，内容不同：请刷新后核对",
    session_ended: "会话已结束，请重新登录",
    account_locked: "当前密码错误次数过多，账号已暂时锁定，请稍后再试",
    concurrent_write: "有人同时在修改同一记录，这次没有保存，请稍后重试",
    second_factor_required: "需要输入身份验证器上的验证码后才能继续",
    second_factor_enrolment_required: "你的角色要求使用双因素认证：请先绑定身份验证器",
    password_change_required: "请先修改密码后再继续",
    already_created: "此账号已在之前的一次提交中创建",
    username_taken: "用户名已被使用",
    already_enrolled: "此账号已绑定身份验证器",
    csrf_failed: "页面已过期，请刷新页面后重试",
    second_factor_locked: "验证码错误次数过多，请稍后再试",
    reveal_forbidden: "你的角色只能查看掩码后的号码",
    own_account: "不能修改自己的账号：请由其他管理员操作",
    insufficient_authority: "此账号担任你无权授予的角色，须由上级管理员操作",
    invalid_transition: "案件当前所处阶段不能执行此操作，请刷新后核对",
    illegal_transition: "案件当前状态不能执行此操作，请刷新后核对",
    duplicate_id_number: "已有在档人员使用此公民身份号码",
    duplicate_open_case: "此人已有同类未结案件，请继续办理原案件",
    code_taken: "本村已有户使用此户号",
    type_exists: "本县已有此救助类型，请换一个代码",
    case_closed: "此案件已结案",
    appeal_used: "此案件已申诉过一次，不能再次申诉",
    already_acknowledged: "此报告已被他人确认收到",
    already_resolved: "此事项已被他人办结",
    already_exited: "此人已销档",
    already_active: "此档案已在档",
    already_ended: "此结对已结束",
    enrolment_closed: "此学生已不在本校学籍中",
    not_a_registered_volunteer: "你的账号未登记为志愿者，请联系村干部登记",
  };
  if (problem && byCode[problem.code]) return byCode[problem.code];
  if (status === 400) return "请求无法识别，请检查填写的内容";
  if (status === 401) return "登录已过期，请重新登录";
  if (status === 403) return "你没有权限执行此操作";
  if (status === 404) return "记录不存在，或不在你的管理范围内";
  if (status === 409) return "与已有记录冲突，请刷新后核对";
  if (status === 412) return "记录已被他人修改，请刷新后重试";
  if (status === 413) return "文件太大";
  if (status === 422) return "有内容需要改正，见标出的栏目";
  if (status === 429) return "操作过于频繁，请稍后再试";
  if (status >= 500) return "服务暂时不可用，请稍后再试";
  return `请求失败（${status}）`;
}

export class ApiError extends Error {
  constructor(status, problem, { offline = false, retryAfter = null } = {}) {
    super(chineseMessage(status, problem, offline));
    /** The server's own text (English or Chinese), for logs and details. */
    this.detail = (problem && (problem.detail || problem.title)) || null;
    this.status = status;
    this.problem = problem || {};
    this.offline = offline;
    this.retryAfter = retryAfter;
  }

  /** Field errors by field path: { "child.guardian.phone": "…" }. */
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) out[e.field] = e.message;
    return out;
  }

  /** Worth trying again later (no network, server or database unavailable), not the request's fault. */
  get transient() {
    return this.offline || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export function csrfToken() {
  const match = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("liushou_csrf="));
  return match ? decodeURIComponent(match.slice("liushou_csrf=".length)) : "";
}

const listeners = new Set();
/** Called with no arguments whenever the server says the session is gone (401). */
export function onUnauthorized(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const dueListeners = new Set();
/**
 * Called whenever the server says this session owes its second factor (403): the server decides it
 * on every request, so a role granted or an authenticator enrolled elsewhere reaches an open session.
 */
export function onSecondFactorDue(listener) {
  dueListeners.add(listener);
  return () => dueListeners.delete(listener);
}
const SECOND_FACTOR_DUE = ["second_factor_required", "second_factor_enrolment_required"];

/** Whether an error is the server asking for the second factor (the listeners above take over). */
export function isSecondFactorDue(error) {
  return error instanceof ApiError && error.status === 403 && SECOND_FACTOR_DUE.includes(error.problem.code);
}

/**
 * Calls the API. Options: body (JSON), text (raw body with contentType), headers, ifMatch,
 * idempotencyKey, timeout (ms, default 20 s), raw (return the Response), quiet (a 401 is not
 * announced to the onUnauthorized listeners).
 * Resolves { status, data, headers }; rejects with ApiError.
 */
export async function api(method, path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (!headers.has("accept")) headers.set("accept", "application/json, application/problem+json");
  // The server words its field messages in Chinese for readers who ask (API clients keep English).
  headers.set("accept-language", "zh-CN");
  let body;
  if (options.body !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(options.body);
  } else if (options.text !== undefined) {
    headers.set("content-type", options.contentType || "text/csv");
    body = options.text;
  }
  if (method !== "GET" && method !== "HEAD") headers.set("x-csrf-token", csrfToken());
  if (options.ifMatch !== undefined && options.ifMatch !== null) headers.set("if-match", `"${options.ifMatch}"`);
  if (options.idempotencyKey) headers.set("idempotency-key", options.idempotencyKey);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeout || 20000);
  let response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin", signal: controller.signal, cache: "no-store" });
  } catch (error) {
    throw new ApiError(0, null, { offline: true });
  } finally {
    clearTimeout(timer);
  }
  if (options.raw && response.ok) return response;
  const type = response.headers.get("content-type") || "";
  let data = null;
  if (response.status !== 204) {
    data = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  }
  if (!response.ok) {
    if (response.status === 401 && !options.quiet && !path.startsWith("/v1/auth/login")) listeners.forEach((l) => l());
    if (response.status === 403 && data && SECOND_FACTOR_DUE.includes(data.code)) dueListeners.forEach((l) => l());
    const retryAfter = Number(response.headers.get("retry-after")) || null;
    throw new ApiError(response.status, typeof data === "object" ? data : null, { retryAfter });
  }
  return { status: response.status, data, headers: response.headers };
}

export const get = (path, options) => api("GET", path, options).then((r) => r.data);
export const post = (path, body, options = {}) => api("POST", path, { ...options, body }).then((r) => r.data);
export const put = (path, body, options = {}) => api("PUT", path, { ...options, body }).then((r) => r.data);

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
