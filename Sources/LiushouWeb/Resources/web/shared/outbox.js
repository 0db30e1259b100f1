// Records made on the device wait here until the server has them. Each record gets its client id
// when it is made and keeps it (and its exact payload) through every retry, so a retry can only
// ever be answered "duplicate", never stored twice. Records belong to the account that made them
// and are sent only under that account's session.

import { post } from "./api.js";

export const STATES = {
  pending: "待上传",
  sent: "已上传",
  duplicate: "重复（已在服务器）",
  conflict: "冲突",
  rejected: "被拒",
};

/**
 * Why a refused batch is refused, for its record at `index`: the server's field errors of that item
 * (items[3].occurredAt) and of the whole batch, else a sentence of what happened (no field is marked
 * on a record's card, so none is pointed to).
 */
function batchErrors(error, index) {
  const own = `items[${index}].`;
  const listed = [];
  for (const e of (error.problem && error.problem.errors) || []) {
    const field = String(e.field || "");
    if (field.startsWith(own)) listed.push({ field: field.slice(own.length), message: e.message });
    else if (!/^items\[\d+\]/.test(field)) listed.push({ field: field === "items" ? "" : field, message: e.message });
  }
  if (listed.length) return listed;
  const why = error.status === 413 ? "记录太大，服务器无法接收" : error.status === 400 ? "服务器无法识别这批记录" : "服务器拒收了这批记录";
  return [{ field: "", message: `${why}。请删除此条后重新记录，或联系管理员。` }];
}

export class Outbox {
  /**
   * `endpoints`: record kind → batch URL; `currentAccount()`: the account whose session the browser
   * holds now (a sync stops as soon as it changes, so no record goes under another account).
   */
  constructor(db, endpoints, { store = "outbox", currentAccount = () => null } = {}) {
    this.db = db;
    this.endpoints = endpoints;
    this.store = store;
    this.currentAccount = currentAccount;
    this.running = null;
    this.runningFor = null;
    this.chunkSize = 100;
    this.listeners = new Set();
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  changed() {
    for (const listener of this.listeners) listener();
  }

  async add(kind, payload, accountId, summary) {
    const record = {
      id: payload.id, kind, payload, accountId, summary, state: "pending", createdAt: new Date().toISOString(),
      attempts: 0, errors: null, lastError: null,
    };
    await this.db.put(this.store, record);
    this.changed();
    return record;
  }

  /** The account's records, newest first. */
  async list(accountId) {
    const all = (await this.db.all(this.store)).filter((r) => r.accountId === accountId);
    return all.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async pendingCount(accountId) {
    return (await this.db.all(this.store)).filter((r) => r.state === "pending" && r.accountId === accountId).length;
  }

  /** Waiting records of other accounts on this device (shown only as a number). */
  async othersPending(accountId) {
    return (await this.db.all(this.store)).filter((r) => r.state === "pending" && r.accountId !== accountId).length;
  }

  /** Drops records the server has had for over a week (kept a while so the user sees them go). */
  async prune(now = Date.now()) {
    for (const record of await this.db.all(this.store)) {
      if (record.state !== "pending" && record.sentAt && now - Date.parse(record.sentAt) > 7 * 86400000) {
        await this.db.delete(this.store, record.id);
      }
    }
  }

  /**
   * Sends the account's pending records in batches. One sync at a time. Resolves a summary;
   * stops at the first transient failure (offline, 5xx, 401) and leaves the rest pending.
   */
  sync(accountId) {
    if (this.running) {
      return this.runningFor === accountId ? this.running : this.running.then(() => this.sync(accountId));
    }
    this.runningFor = accountId;
    this.running = this.run(accountId).finally(() => {
      this.running = null;
      this.runningFor = null;
    });
    return this.running;
  }

  async run(accountId) {
    const summary = { sent: 0, duplicate: 0, conflict: 0, rejected: 0, error: null };
    const pending = (await this.db.all(this.store))
      .filter((r) => r.state === "pending" && r.accountId === accountId)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const kind of Object.keys(this.endpoints)) {
      const ofKind = pending.filter((r) => r.kind === kind);
      for (let start = 0; start < ofKind.length; ) {
        if (this.currentAccount() !== accountId) {
          summary.error = { status: 401, message: "会话已更换" };
          return summary;
        }
        const chunk = ofKind.slice(start, start + this.chunkSize);
        let answer;
        try {
          answer = await post(this.endpoints[kind], { items: chunk.map((r) => r.payload) }, { timeout: 30000 });
        } catch (error) {
          if (error.status === 413 && chunk.length > 1) {
            // Too large for the server or a proxy in between: send fewer at a time.
            this.chunkSize = Math.max(1, Math.floor(chunk.length / 4));
            continue;
          }
          summary.error = error;
          const now = new Date().toISOString();
          chunk.forEach((record, index) => {
            record.attempts += 1;
            record.lastAttemptAt = now;
            // What the person reads: the Chinese sentence, not the HTTP status.
            record.lastError = error.offline ? "网络不可用" : error.message;
            if ([400, 422].includes(error.status) || (error.status === 413 && chunk.length === 1)) {
              // The whole batch was refused as unreadable: each record says why and waits no more.
              record.state = "rejected";
              record.errors = batchErrors(error, index);
            }
          });
          await this.db.putAll(this.store, chunk);
          this.changed();
          return summary;
        }
        const byId = new Map(chunk.map((r) => [r.id, r]));
        const now = new Date().toISOString();
        for (const result of answer.results || []) {
          const record = byId.get(result.id) || chunk[result.index];
          if (!record) continue;
          record.attempts += 1;
          record.lastAttemptAt = now;
          record.lastError = null;
          record.state = result.status === "created" ? "sent" : result.status;
          record.errors = result.errors || null;
          if (record.state !== "pending") record.sentAt = now;
          summary[record.state === "sent" ? "sent" : record.state] += 1;
        }
        await this.db.putAll(this.store, chunk);
        this.changed();
        start += chunk.length;
      }
    }
    return summary;
  }
}
