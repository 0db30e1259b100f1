// The idle lock. After 30 minutes without a touch the app locks instead of wiping the phone: a
// worker deep in a village with no signal must still be able to go on recording. Unlocking needs
// the password — checked by the server when online, or offline against a verifier kept from the
// last login (PBKDF2-SHA256 with a random salt: the password itself is never stored). Logging out
// removes the verifier with everything else.
import { db } from "./data.js";

const ITERATIONS = 210000;
const LOCKED = "liushou.locked";

export const isLocked = () => localStorage.getItem(LOCKED) === "1";
export const lock = () => localStorage.setItem(LOCKED, "1");
export const unlock = () => localStorage.removeItem(LOCKED);

/** Whether this browser can check a password offline (WebCrypto needs HTTPS or localhost). */
export const canVerifyOffline = () => !!(globalThis.crypto && crypto.subtle);

async function derive(password, salt) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: ITERATIONS }, key, 256);
  return [...new Uint8Array(bits)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Keeps a verifier of the password that just logged in. */
export async function rememberVerifier(accountId, username, password) {
  if (!canVerifyOffline()) return;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  await db.put("meta", { key: "verifier", accountId, username, salt: [...salt], hash: await derive(password, salt) });
}

/** Checks a password offline against the last login's verifier. */
export async function verifyOffline(accountId, password) {
  const verifier = await db.get("meta", "verifier");
  if (!verifier || verifier.accountId !== accountId || !canVerifyOffline()) return false;
  return (await derive(password, new Uint8Array(verifier.salt))) === verifier.hash;
}
