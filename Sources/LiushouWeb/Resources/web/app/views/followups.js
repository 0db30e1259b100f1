// 我的跟进: follow-ups routed to the caller's roles, with resolve (online: it moves a shared case).
import { h, mount, formatTime, toast, field, showFieldErrors } from "../../shared/ui.js";
import { get, post } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import { cached, keep } from "../data.js";

const NEEDS = { ...vocab.needs, schooling: "就学" };

export async function followUpsView({ app, profile }) {
  const list = h("div");
  const status = h("p.muted.small", { role: "status" });
  mount(app.view, h("h2", "我的跟进"), status, list);
  let data = null;
  if (navigator.onLine) {
    try {
      data = await get("/v1/follow-ups?status=open");
      await keep("followups", data, profile.accountId);
    } catch (e) {
      status.textContent = `加载失败：${e.message}`;
    }
  }
  if (!data) {
    const entry = await cached("followups");
    data = entry && entry.value;
    if (entry) status.textContent = `离线：显示 ${formatTime(entry.refreshedAt)} 保存的列表；办结需要联网`;
  }
  const items = (data && data.items) || [];
  if (!items.length) {
    list.append(h("p.card", "没有待办的跟进。"));
    return;
  }
  for (const item of items) {
    const resolution = h("textarea", { name: "resolution", rows: 2, maxlength: 2000, required: true });
    const form = h("form", { novalidate: true }, field("办理情况", resolution), h("button.primary", { type: "submit" }, "办结"));
    form.hidden = true;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!resolution.value.trim()) {
        showFieldErrors(form, { resolution: "请写明如何办理" });
        return;
      }
      try {
        await post(`/v1/follow-ups/${item.id}/resolve`, { resolution: resolution.value.trim() }, { ifMatch: item.version });
        toast("已办结");
        app.render();
      } catch (e) {
        if (e.offline) toast("需要联网才能办结；内容仍在输入框中", "bad");
        else if (e.status === 412 || e.status === 409) {
          // Changed or resolved by someone else meanwhile: what was typed stays in its box, and a
          // follow-up still open is answered at its latest version when sent again.
          // null: no longer open; undefined: the list could not be read.
          const latest = await get("/v1/follow-ups?status=open").then((d) => d.items.find((x) => x.id === item.id) || null, () => undefined);
          if (latest && latest.canResolve !== false) {
            item.version = latest.version;
            showFieldErrors(form, { resolution: "这条跟进刚被其他人修改过，已取得最新版本；您填写的内容仍在此处，核对后可再次办结" });
          } else if (latest === undefined) {
            showFieldErrors(form, { resolution: "这条跟进刚被其他人修改过；暂时无法取得最新情况，您填写的内容仍在此处，请稍后再试" });
          } else {
            showFieldErrors(form, { resolution: "这条跟进已被他人办结或改派，无需再办理；您填写的内容仍在此处" });
            form.querySelector("button[type=submit]").disabled = true;
          }
        }
        else showFieldErrors(form, e.fields.resolution ? e.fields : { resolution: e.message });
      }
    });
    list.append(h("div.card",
      h("div.row", h("strong.grow", item.personName || "（户）"), h("span.badge.warn", NEEDS[item.need] || item.need)),
      h("p.muted.small", `${formatTime(item.openedAt)} 提出 · 交由${vocab.roles[item.routedRole] || item.routedRole}`),
      item.personId ? h("a.tap", { href: `#/person/${item.personId}` }, "查看档案") : null, " ",
      item.canResolve === false ? h("p.muted.small", "由卫生院等承办单位办理，此处仅供查看")
        : h("button", { type: "button", onclick: () => { form.hidden = !form.hidden; if (!form.hidden) resolution.focus(); } }, "办理"),
      item.canResolve === false ? null : form));
  }
}
