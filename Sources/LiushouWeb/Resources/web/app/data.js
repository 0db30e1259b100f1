// What the field app keeps on the device (IndexedDB "liushou-field"):
// - outbox: records made here until the server has them (survive logout; sent only by their maker);
// - cache: today's tasks, viewed person files (masked as the server sent them), the volunteer's
//   pairings and follow-ups — cleared at logout and when another user logs in;
// - drafts: an unsent safeguarding report — cleared at logout.
// Nothing here ever holds a password, a token or an unmasked ID number.
import { openDatabase } from "../shared/idb.js";
import { Outbox } from "../shared/outbox.js";

export const db = await openDatabase("liushou-field", 1, {
  outbox: { keyPath: "id" },
  cache: { keyPath: "key" },
  drafts: { keyPath: "key" },
});

export const outbox = new Outbox(db, {
  "door-check": "/v1/door-checks/batch",
  "volunteer-visit": "/v1/volunteer-visits/batch",
});

export async function cached(key) {
  return (await db.get("cache", key)) || null;
}

export async function keep(key, value, accountId) {
  await db.put("cache", { key, value, accountId, refreshedAt: new Date().toISOString() });
}

/** Forgets every cached record and draft; the outbox keeps what still waits to be sent. */
export async function clearDevice() {
  await db.clear("cache");
  await db.clear("drafts");
  for (const record of await db.all("outbox")) {
    if (record.state !== "pending") await db.delete("outbox", record.id);
  }
}

/** A random UUID (v4), also where crypto.randomUUID is missing (plain-HTTP pages). */
export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
