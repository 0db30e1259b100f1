// 我的结对 (volunteers): my pairings and their people (reduced file), record a visit, my service hours.
import { h, mount, formatTime } from "../../shared/ui.js";
import { get } from "../../shared/api.js";
import { cached, keep } from "../data.js";

const KINDS = {
  proxy_parent: "代理家长", caring_mother: "爱心妈妈", temporary_father: "临时爸爸", learning_buddy: "学习帮手", elder_companion: "留守老人陪伴",
  other: "结对帮扶",
};

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
  const hours = data.hours || { totalMinutes: 0, months: [] };
  const visits = (hours.months || []).reduce((sum, m) => sum + m.visits, 0);
  const active = (data.pairings || []).filter((p) => p.status === "active" && p.running !== false);
  mount(body,
    h("div.stats",
      h("div.card", h("strong", String(visits)), `${hours.year || ""} 年走访次数`),
      h("div.card", h("strong", (hours.totalMinutes / 60).toFixed(1)), "服务小时")),
    active.length ? active.map((pairing) => h("section.card",
      h("div.row", h("strong.grow", KINDS[pairing.kind] || "结对帮扶"), h("span.badge.ok", "进行中")),
      h("p.muted.small", `${pairing.startOn} 开始${pairing.goals ? ` · 目标：${pairing.goals}` : ""}`),
      (pairing.people || []).map((person) => h("div.person",
        h("div.who", h("a.name", { href: `#/person/${person.personId}` }, person.name || "（结对对象）")),
        h("a.button.primary", { href: `#/record/${person.personId}?kind=volunteer_visit&pairing=${pairing.id}`, "aria-label": `记录 ${person.name || ""} 的走访` },
          "记录走访")))))
      : h("p.card", "目前没有进行中的结对。"));
}
