// 控辍保学: the dropout-control cases the caller may see, and the town's closing of a case with a reason.
import { h, field, toast } from "../../shared/ui.js";
import { api, get, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as units from "../units.js";
import * as S from "./schools-util.js";

async function schoolName(schools, id) {
  const known = schools.find((s) => s.id === id);
  return known ? known.name : units.name(id);
}

export async function dropoutList({ app, params, schoolId, schools }) {
  const status = params.get("status") === "closed" ? "closed" : "open";
  const data = await get(`/v1/dropout-cases${query({ status })}`);
  const names = await Promise.all(data.items.map(async (c) => [await schoolName(schools, c.schoolId), await units.name(c.unitId)]));
  const href = (s) => `#/schools${query({ school: schoolId, tab: "dropout", status: s === "open" ? "" : s })}`;
  return [
    h("p", "辍学不销学籍：儿童返校（或转学）后个案自动关闭为“已返校”；确需关闭的，由乡镇管理员或儿童督导员写明原因后关闭。"),
    h("nav.row.no-print", { "aria-label": "个案状态" },
      h("a.button", { href: href("open"), "aria-current": status === "open" ? "page" : null }, "未结个案"),
      h("a.button", { href: href("closed"), "aria-current": status === "closed" ? "page" : null }, "已结个案")),
    h("p.muted", { role: "status" }, `${data.items.length} 个${status === "open" ? "未结" : "已结"}个案`),
    data.items.length ? h("ul.queue.dropout-cases", data.items.map((c, i) => caseCard(app, c, names[i], schoolId)))
      : h("p", status === "open" ? "没有未结的控辍保学个案。" : "暂无已结个案。"),
  ];
}

function caseCard(app, c, [school, area], schoolId) {
  const item = h("li.card", { dataset: { id: c.id, person: c.personId }, className: `card ${c.status === "open" ? "urgent" : ""}` },
    h("div.row", h("strong", h("a", { href: `#/schools/${c.personId}${query({ school: schoolId, tab: "roll" })}` }, c.personName || "（儿童）")),
      h("span", school), h("span.muted", area),
      h("span.muted", `${c.openedOn} 辍学立案`),
      c.status === "open" ? h("span.badge.bad", "未结") : h("span.badge.ok", `${S.closedHow[c.closedHow] || c.closedHow} ${c.closedOn || ""}`)),
    c.closeReason ? h("p", `关闭原因：${c.closeReason}`) : null);
  if (c.status === "open" && can("schools.dropout_close")) {
    const form = closeForm(app, c);
    form.hidden = true;
    item.append(h("div.row.no-print", h("button", { type: "button", className: "close-open", onclick: (event) => {
      form.hidden = false;
      event.currentTarget.hidden = true;
      form.querySelector("textarea").focus();
    } }, "关闭个案…")), form);
  }
  return item;
}

function closeForm(app, c) {
  let version = c.version;
  const reason = S.textarea("reason", 1000, 2);
  const form = h("form.resolve.no-print", { novalidate: true, "aria-label": `关闭 ${c.personName || ""} 的控辍保学个案` },
    field("关闭原因", reason, { hint: "如：已劝返至县外学校、已满 16 周岁等" }), h("button.primary", { type: "submit" }, "关闭个案"));
  S.onSubmit(form, async () => {
    if (!reason.value.trim()) throw Object.assign(new Error("请写明关闭原因"), { status: 422, fields: { reason: "请写明关闭原因" } });
    return api("POST", `/v1/dropout-cases/${c.id}/close`, { body: { reason: reason.value.trim() }, ifMatch: version });
  }, {
    what: "关闭个案",
    done: () => {
      toast("个案已关闭");
      app.render();
    },
    conflict: async () => {
      const fresh = (await get("/v1/dropout-cases?status=open")).items.find((x) => x.id === c.id);
      if (!fresh) return "此个案已被他人关闭或已返校，请刷新列表查看。";
      version = fresh.version;
      return `此个案刚被他人修改（当前版本 ${fresh.version}）。你写的原因仍在，确认后可再次提交。`;
    },
  });
  return form;
}
