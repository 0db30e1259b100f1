// What the field app keeps on the device (IndexedDB "liushou-field"):
// - outbox: records made here until the server has them (survive logout; sent only by their maker);
// - cache: today's tasks, viewed person files (masked as the server sent them), the volunteer's
//   pairings and follow-ups — cleared at logout and when another user logs in;
// - drafts: an unsent safeguarding report — cleared at logout.
// Nothing here ever holds a password, a token or an unmasked ID number.
// - meta: the offline-unlock verifier of the last login (PBKDF2 of the password, never the password).
import { openDatabase } from "../shared/idb.js";
import { Outbox } from "../shared/outbox.js";
import * as session from "../shared/session.js";

export const db = await openDatabase("liushou-field", 2, {
  outbox: { keyPath: "id" },
  cache: { keyPath: "key" },
  drafts: { keyPath: "key" },
  meta: { keyPath: "key" },
});

const account = () => (session.profile() || {}).accountId || null;

export const outbox = new Outbox(db, {
  "door-check": "/v1/door-checks/batch",
  "volunteer-visit": "/v1/volunteer-visits/batch",
}, { currentAccount: account });

/** A cached value of the current account (another account's is never shown). */
export async function cached(key) {
  const entry = await db.get("cache", key);
  return entry && entry.accountId === account() ? entry : null;
}

/** Keeps a value for `accountId`, unless that session ended while the value was on its way. */
export async function keep(key, value, accountId) {
  if (!accountId || accountId !== account()) return;
  await db.put("cache", { key, value, accountId, refreshedAt: new Date().toISOString() });
}

/** Forgets every cached record, draft and the unlock verifier; the outbox keeps what still waits to be sent. */
export async function clearDevice() {
  await db.clear("cache");
  await db.clear("drafts");
  await db.clear("meta");
  for (const record of await db.all("outbox")) {
    if (record.state !== "pending") await db.delete("outbox", record.id);
  }
}

/**
 * A new record id: a time-ordered UUID (v7: the milliseconds since 1970, then 74 random bits).
 * Ids made in later milliseconds sort later, so the server's indexes over them take new
 * entries at one end instead of on a random page each (the door-check key index grows for as long
 * as checks are kept). A phone with a wrong clock still makes unique ids, only not in order.
 */
export function newId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
