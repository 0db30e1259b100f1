// 待上传: every record made on this device and where it stands.
import { h, mount, formatTime, toast } from "../../shared/ui.js";
import { STATES } from "../../shared/outbox.js";
import { message, recordFields } from "../../shared/vocab.js";
import { outbox, db } from "../data.js";

let subscribed = false;
let redraw = null;
const BADGE = { pending: "warn", sent: "ok", duplicate: "ok", conflict: "bad", rejected: "bad" };

export async function outboxView({ app, profile }) {
  const list = h("ul.records");
  const button = h("button.primary", { type: "button" }, "立即上传");
  const status = h("p.muted.small", { role: "status" });
  const draw = async () => {
    const records = await outbox.list(profile.accountId);
    const others = await outbox.othersPending(profile.accountId);
    const pending = records.filter((r) => r.state === "pending");
    status.textContent = (navigator.onLine ? `${pending.length} 条待上传` : `离线：${pending.length} 条记录保存在本机，联网后自动上传`)
      + (others ? `；另有 ${others} 条由其他账号记录，需该账号登录后上传` : "");
    button.disabled = !navigator.onLine || !pending.length;
    mount(list, records.length ? records.map((r) => h("li.card", { dataset: { id: r.id, state: r.state } },
      h("div.row", h("span.grow", r.summary), h(`span.badge.${BADGE[r.state] || ""}`, STATES[r.state] || r.state)),
      h("p.muted.small", `${formatTime(r.payload.occurredAt)} 记录${r.sentAt ? ` · ${formatTime(r.sentAt)} 上传` : ""}`),
      r.lastError && r.state === "pending" ? h("p.small", `上次尝试：${r.lastError}`) : null,
      r.errors ? h("ul.small", r.errors.map((e) => h("li", `${e.field ? `${recordFields[e.field] || e.field}：` : ""}${message(e.message)}`))) : null,
      r.state === "conflict" ? h("p.small", "服务器上已有同一编号但内容不同的记录；此条未保存。") : null,
      // What was typed stays readable until the record is filled in again or deleted.
      ["rejected", "conflict"].includes(r.state) && r.payload.notes ? h("p.small", `备注：${r.payload.notes}`) : null,
      ["rejected", "conflict"].includes(r.state) ? h("div.actions",
        h("a.button", { href: `#/record/${r.payload.personId}?from=${r.id}` }, "重新填写"),
        h("button", { type: "button", onclick: async () => { await db.delete("outbox", r.id); draw(); } }, "删除此条")) : null))
      : h("p.card", "本机没有记录。"));
  };
  button.addEventListener("click", async () => {
    button.disabled = true;
    const summary = await app.sync({ quiet: true });
    if (summary && summary.error) toast(summary.error.offline ? "网络不可用，稍后自动重试" : `上传中断：${summary.error.message}`, "bad");
    else if (summary) toast(`已上传 ${summary.sent + summary.duplicate} 条`);
    draw();
  });
  redraw = draw;
  if (!subscribed) {
    subscribed = true;
    outbox.onChange(() => location.hash.startsWith("#/outbox") && redraw && redraw());
  }
  mount(app.view, h("div.row", h("h2.grow", "待上传"), button), status, list);
  await draw();
}
