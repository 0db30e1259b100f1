// 我的结对 (volunteers): my pairings and their people (reduced file), record a visit, my service hours.
import { h, mount, formatTime, formatDate } from "../../shared/ui.js";
import { get } from "../../shared/api.js";
import { cached, keep } from "../data.js";

const TYPES = { one_to_one: "一对一", many_to_one: "多对一", one_to_many: "一对多" };

export async function pairingsView({ app, profile }) {
  const status = h("p.muted.small", { role: "status" });
  const body = h("div");
  mount(app.view, h("h2", "我的结对"), status, body);
  let data = null;
  if (navigator.onLine) {
    try {
      data = await get("/v1/me/volunteer");
      await keep("volunteer", data, profile.accountId);
    } catch (e) {
      if (e.status === 404) {
        mount(body, h("p.card", "您的账号还没有登记为志愿者，请联系村里的儿童主任。"));
        return;
      }
      status.textContent = `加载失败：${e.message}`;
    }
  }
  if (!data) {
    const entry = await cached("volunteer");
    data = entry && entry.value;
    if (entry) status.textContent = `离线：显示 ${formatTime(entry.refreshedAt)} 保存的结对`;
  }
  if (!data) {
    mount(body, h("p.card", "离线，本机还没有结对资料：请联网后打开一次。"));
    return;
  }
  const hours = data.hours || {};
  const active = (data.pairings || []).filter((p) => p.status === "active");
  mount(body,
    h("div.stats",
      h("div.card", h("strong", String(hours.visits ?? hours.visitCount ?? 0)), "今年走访次数"),
      h("div.card", h("strong", String(hours.hours ?? Math.round((hours.minutes || 0) / 6) / 10)), "今年服务小时")),
    active.length ? active.map((pairing) => h("section.card",
      h("div.row", h("strong.grow", pairing.kindName || TYPES[pairing.type] || "结对帮扶"), h("span.badge.ok", "进行中")),
      h("p.muted.small", `${formatDate(pairing.startedOn)} 开始${pairing.goals ? ` · 目标：${pairing.goals}` : ""}`),
      (pairing.people || []).map((person) => h("div.person",
        h("div.who", h("span.name", person.name || "（结对对象）")),
        h("a.button.primary", { href: `#/record/${person.personId || person.id}?kind=volunteer_visit&pairing=${pairing.id}` }, "记录走访")))))
      : h("p.card", "目前没有进行中的结对。"));
}
