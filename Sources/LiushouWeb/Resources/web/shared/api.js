// The one API client of the web clients: same-origin fetch with the session cookie, the CSRF
// header on every change, RFC 9457 problems as ApiError, and a time limit on every call.

export class ApiError extends Error {
  constructor(status, problem, { offline = false, retryAfter = null } = {}) {
    super((problem && (problem.detail || problem.title)) || (offline ? "网络不可用" : `HTTP ${status}`));
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
 * idempotencyKey, timeout (ms, default 20 s), raw (return the Response).
 * Resolves { status, data, headers }; rejects with ApiError.
 */
export async function api(method, path, options = {}) {
  const headers = new Headers(options.headers || {});
  headers.set("accept", "application/json, application/problem+json");
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
    if (response.status === 401 && !path.startsWith("/v1/auth/login")) listeners.forEach((l) => l());
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
