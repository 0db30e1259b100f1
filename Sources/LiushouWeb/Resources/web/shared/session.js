// The browser session: the token stays in an HttpOnly cookie (no script can read it); this module
// keeps only the caller's profile (name, grants, permissions: nothing secret) for the menus and
// for working offline, and logs out after the server's idle time without any use.
import { api, get, post, onUnauthorized, onSecondFactorDue } from "./api.js";

const PROFILE = "liushou.profile";
const ACTIVITY = "liushou.lastActivity";

export function profile() {
  try {
    return JSON.parse(localStorage.getItem(PROFILE) || "null");
  } catch {
    return null;
  }
}

/** Whether the session still owes its second factor: a code (`pending`) or an enrolment (`enrol`). */
export function owesSecondFactor(p = profile()) {
  return !!p && (p.secondFactor === "pending" || p.secondFactor === "enrol");
}

export function can(permission) {
  const p = profile();
  return !!p && (p.permissions || []).includes(permission);
}

export function roles() {
  const p = profile();
  return p ? [...new Set((p.grants || []).map((g) => g.role))] : [];
}

export async function login(username, password) {
  // A lock's logout still under way would clear the cookie this login sets.
  if (ending) await ending;
  const session = (await api("POST", "/v1/auth/login", { body: { username, password, cookie: true } })).data;
  const me = await get("/v1/auth/me");
  const stored = { ...me, idleTimeoutSeconds: session.idleTimeoutSeconds, expiresAt: session.expiresAt };
  localStorage.setItem(PROFILE, JSON.stringify(stored));
  touch();
  return stored;
}

/** Reads /v1/auth/me again (after a password change, or to confirm the cookie still works). */
export async function refresh() {
  const me = await get("/v1/auth/me");
  const stored = { ...(profile() || {}), ...me };
  localStorage.setItem(PROFILE, JSON.stringify(stored));
  return stored;
}

const logoutHooks = new Set();
/** Runs when the user logs out or the session ends (to clear cached records). */
export function onLogout(hook) {
  logoutHooks.add(hook);
}

/** Ends the session here and on the server (if reachable); `reason` is shown on the login page. */
export async function logout(reason = "") {
  try {
    await post("/v1/auth/logout", undefined, { timeout: 5000 });
  } catch {
    // Offline or already expired: the cookie dies with its session on the server anyway.
  }
  await forget(reason);
}

/**
 * Ends this session on the server and keeps everything on the device: the field app's idle lock,
 * which unlocks by logging in again (or offline against the verifier, until the next upload asks
 * for a login). Offline, the server's own idle clock ends the session: nothing is sent while locked.
 */
let ending = null;
export async function endServerSession() {
  ending = api("POST", "/v1/auth/logout", { timeout: 5000, quiet: true })
    .catch(() => {
      // Offline or already ended.
    })
    .finally(() => {
      ending = null;
    });
  await ending;
}

/** Forgets the session locally (the server already ended it). */
export async function forget(reason = "") {
  localStorage.removeItem(PROFILE);
  for (const hook of logoutHooks) await hook(reason);
}

/** Milliseconds since the user last touched a page of this site. */
export function idleFor() {
  return Date.now() - Number(localStorage.getItem(ACTIVITY) || Date.now());
}

export function touch() {
  localStorage.setItem(ACTIVITY, String(Date.now()));
}

/** Calls `onIdle` once the user has not touched the app for the session's idle time. */
export function watchIdle(onIdle) {
  for (const event of ["pointerdown", "keydown", "touchstart"]) {
    addEventListener(event, () => profile() && touch(), { passive: true });
  }
  setInterval(() => {
    const p = profile();
    if (!p) return;
    const idle = (p.idleTimeoutSeconds || 1800) * 1000;
    if (Date.now() - Number(localStorage.getItem(ACTIVITY) || Date.now()) > idle) onIdle();
  }, 15000);
}

export { onUnauthorized };

/** Calls `listener` with the fresh profile when the server asks this session for its second factor. */
export function onSecondFactor(listener) {
  return onSecondFactorDue(() => refresh().then(listener, () => {}));
}

export async function changePassword(currentPassword, newPassword) {
  await post("/v1/auth/password", { currentPassword, newPassword });
  return refresh();
}
