// Work queues: my follow-ups (resolve with a note), safeguarding reports (acknowledge, police
// notice), overdue visits by village and grid.
import { h, mount, field, showFieldErrors, toast, formatTime, relative, localInputValue } from "../../shared/ui.js";
import { get, post, query } from "../../shared/api.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";

/** The open follow-up `id` as the server has it now: null when it is no longer open, undefined when unknown. */
async function openFollowUp(id) {
  try {
    return (await get(`/v1/follow-ups${query({ status: "open" })}`)).items.find((x) => x.id === id) || null;
  } catch {
    return undefined;
  }
}

export async function followUpsView({ app, params }) {
  const status = params.get("status") === "resolved" ? "resolved" : "open";
  const data = await get(`/v1/follow-ups${query({ status })}`);
  const list = h("ul.queue");
  for (const f of data.items) {
    const note = h("textarea", { name: "resolution", maxlength: 2000, rows: 2 });
    const form = h("form.resolve", { novalidate: true, "aria-label": `处理 ${f.personName || ""} 的跟进` },
      field("处理情况", note), h("button.primary", { type: "submit" }, "标记已解决"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!note.value.trim()) {
        showFieldErrors(form, { resolution: "请写明如何解决" });
        return;
      }
      try {
        await post(`/v1/follow-ups/${f.id}/resolve`, { resolution: note.value.trim() }, { ifMatch: f.version });
        toast("已解决");
        item.remove();
      } catch (error) {
        if (error.status === 422) showFieldErrors(form, error.fields, vocab.message);
        else if (error.status === 412 || error.status === 409) {
          // Someone else changed or resolved it meanwhile: the note typed here stays in its box.
          const latest = await openFollowUp(f.id);
          if (latest && latest.canResolve !== false) {
            f.version = latest.version;
            showFieldErrors(form, { resolution: "此跟进刚被他人修改过，已取得最新版本；您填写的内容仍在此处，核对后可再次提交" });
          } else if (latest === undefined) {
            showFieldErrors(form, { resolution: "此跟进刚被他人修改过；暂时无法取得最新情况，您填写的内容仍在此处，请稍后再试" });
          } else {
            showFieldErrors(form, { resolution: "此跟进已被他人办结或改派，无需再处理；您填写的内容仍在此处" });
            form.querySelector("button[type=submit]").disabled = true;
          }
        } else toast(`失败：${error.message}`, "bad");
      }
    });
    const item = h("li.card", { dataset: { id: f.id } },
      h("div.row", h("strong", f.personId ? h("a", { href: `#/persons/${f.personId}` }, f.personName || "（人员）") : "（户）"),
        h("span.badge.warn", vocab.followUpNeeds[f.need] || f.need), h("span.muted", `交由 ${vocab.roles[f.routedRole] || f.routedRole}`),
        h("span.muted", `${formatTime(f.openedAt)}（${relative(f.openedAt)}）`)),
      f.status !== "open" ? h("p", `已解决（${formatTime(f.resolvedAt)}）${f.resolution ? "：" + f.resolution : ""}`)
        : f.canResolve === false ? h("p.muted", `由${vocab.roles[f.routedRole] || f.routedRole}办理，此处仅供查看`) : form);
    list.append(item);
  }
  mount(app.view, h("h1", "我的跟进"),
    h("nav.row.no-print", { "aria-label": "跟进状态" },
      h("a.button", { href: "#/followups", "aria-current": status === "open" ? "page" : null }, "待处理"),
      h("a.button", { href: "#/followups?status=resolved", "aria-current": status === "resolved" ? "page" : null }, "已解决")),
    h("p.muted", { role: "status" }, `${data.items.length} 条${status === "open" ? "待处理" : "已解决"}`),
    data.items.length ? list : h("p", status === "open" ? "没有待处理的跟进。" : "暂无已解决的跟进。"));
}

export async function safeguardingView({ app, params }) {
  const status = params.get("status") === "all" ? "all" : "open";
  const data = await get(`/v1/safeguarding-reports${query({ status })}`);
  const names = await Promise.all(data.items.map((r) => units.name(r.unitId)));
  const rows = data.items.map((r, i) => {
    const reference = h("input", { name: "reference", maxlength: 100 });
    const at = h("input", { name: "notifiedAt", type: "datetime-local", value: localInputValue() });
    const police = h("form.police", { novalidate: true, hidden: true, "aria-label": "登记报警" },
      h("div.grid", field("报警时间", at), field("接警回执号", reference)),
      h("button.primary", { type: "submit" }, "保存报警记录"));
    police.addEventListener("submit", async (event) => {
      event.preventDefault();
      // Checked here: the receipt number typed stays in its box either way.
      const notifiedAt = at.value ? new Date(at.value) : null;
      if (!notifiedAt || Number.isNaN(notifiedAt.getTime())) {
        showFieldErrors(police, { notifiedAt: "请填写报警时间（年、月、日、时、分）" });
        return;
      }
      if (notifiedAt.getTime() > Date.now() + 600000) {
        showFieldErrors(police, { notifiedAt: "报警时间不能晚于现在" });
        return;
      }
      showFieldErrors(police, {});
      try {
        await post(`/v1/safeguarding-reports/${r.id}/police`, { notifiedAt: notifiedAt.toISOString(), reference: reference.value.trim() || null }, { ifMatch: r.version });
        toast("已登记报警");
        app.render();
      } catch (error) {
        // The time and receipt number typed here stay in the form whatever the answer.
        if (error.status === 422) showFieldErrors(police, error.fields, vocab.message);
        else if (error.status === 412) {
          const list = await get(`/v1/safeguarding-reports${query({ status: "all" })}`).catch(() => null);
          const latest = list && list.items.find((x) => x.id === r.id);
          if (latest) r.version = latest.version;
          showFieldErrors(police, {
            reference: !latest ? "报告刚被他人更新；暂时无法取得最新情况，您填写的内容仍在此处，请稍后再试"
              : latest.policeNotifiedAt
                ? `他人已于 ${formatTime(latest.policeNotifiedAt)} 登记报警${latest.policeReference ? `（回执号 ${latest.policeReference}）` : ""}；您填写的内容仍在此处`
                : "报告刚被他人更新（如已确认收到），已取得最新版本；您填写的内容仍在此处，核对后可再次保存",
          });
        } else toast(error.offline ? "网络不通，未保存；您填写的内容仍在此处" : `失败：${error.message}`, "bad");
      }
    });
    const acknowledge = async () => {
      try {
        await post(`/v1/safeguarding-reports/${r.id}/acknowledge`, undefined, { ifMatch: r.version });
        toast("已确认收到");
        app.render();
      } catch (error) {
        toast(error.status === 409 ? "报告已被他人确认，已刷新"
          : error.status === 412 ? "报告刚被他人更新（如补记了报警情况），已刷新，请再确认" : `失败：${error.message}`, "bad");
        app.render();
      }
    };
    return h("li.card", { dataset: { id: r.id }, className: `card ${r.acknowledgedAt ? "" : "urgent"}` },
      h("div.row", h("strong", vocab.safeguardingKinds[r.kind] || r.kind), h("span", names[i]),
        r.personId ? h("a", { href: `#/persons/${r.personId}` }, "查看档案") : null,
        h("span.muted", `报告人 ${r.reporterName} · ${formatTime(r.reportedAt)}（${relative(r.reportedAt)}）`)),
      h("p", r.acknowledgedAt ? h("span.badge.ok", `已确认 ${formatTime(r.acknowledgedAt)}`) : h("span.badge.bad", "未确认"), " ",
        r.policeNotifiedAt ? h("span.badge.ok", `已报警 ${formatTime(r.policeNotifiedAt)}${r.policeReference ? `（${r.policeReference}）` : ""}`) : h("span.badge.warn", "未登记报警")),
      h("div.row.no-print",
        r.acknowledgedAt ? null : h("button.primary", { type: "button", className: "primary acknowledge", onclick: acknowledge }, "确认收到"),
        r.policeNotifiedAt ? null : h("button", { type: "button", onclick: () => { police.hidden = false; } }, "登记报警")),
      police);
  });
  mount(app.view, h("h1", "强制报告"),
    h("p", "儿童独居、失踪，监护缺失，疑似家暴或侵害：须立即核实并向公安报告。"),
    h("nav.row.no-print", { "aria-label": "报告状态" },
      h("a.button", { href: "#/safeguarding", "aria-current": status === "open" ? "page" : null }, "未确认"),
      h("a.button", { href: "#/safeguarding?status=all", "aria-current": status === "all" ? "page" : null }, "全部")),
    h("p.muted", { role: "status" }, `${data.items.length} 份报告`),
    rows.length ? h("ul.queue", rows) : h("p", status === "all" ? "没有强制报告。" : "没有未确认的报告。"));
}

export async function overdueView({ app, params }) {
  const scope = await units.inScope(["county", "town", "village"]);
  const unitId = params.get("unitId") || (scope[0] || {}).id;
  const picker = units.unitSelect(scope, { name: "unitId", value: unitId });
  picker.id = "overdue-unit";
  picker.addEventListener("change", () => app.go(`#/overdue?unitId=${picker.value}`));
  const data = unitId ? await get(`/v1/overdue${query({ unitId, limit: 1000 })}`) : { items: [] };
  // Group by the person's unit (grid, else village), grids under their village.
  const byUnit = new Map();
  for (const o of data.items) {
    if (!byUnit.has(o.unitId)) byUnit.set(o.unitId, []);
    byUnit.get(o.unitId).push(o);
  }
  const groups = await Promise.all([...byUnit.keys()].map(async (id) => {
    const u = await units.unit(id);
    const village = u && u.kind === "grid" ? await units.unit(u.parentId) : u;
    return { id, unit: u, village, items: byUnit.get(id) };
  }));
  groups.sort((a, b) => `${a.village?.name}${a.unit?.name}`.localeCompare(`${b.village?.name}${b.unit?.name}`, "zh"));
  mount(app.view, h("h1", "逾期走访"),
    h("form.filters.card", { role: "search", "aria-label": "选择单位" }, field("单位", picker)),
    h("p.muted", { role: "status" }, `${data.items.length} 项逾期，${groups.length} 个村或网格`),
    groups.map((g) => h("section.card", { "aria-label": `${g.village?.name || ""} ${g.unit?.kind === "grid" ? g.unit.name : ""}` },
      h("h2", g.village ? g.village.name : "—", g.unit && g.unit.kind === "grid" ? ` · ${g.unit.name}` : "", h("span.muted", ` （${g.items.length}）`)),
      h("div.table-wrap", h("table", h("caption.sr-only", "逾期走访"),
        h("thead", h("tr", ["姓名", "走访要求", "上次走访", "应访时间", "逾期", "责任人"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", g.items.map((o) => h("tr",
          h("td", h("a", { href: `#/persons/${o.personId}?tab=checks` }, o.personName)), h("td", o.description),
          h("td", o.lastCheckAt ? formatTime(o.lastCheckAt) : "从未"), h("td", formatTime(o.nextDueAt)),
          h("td", o.hoursLate >= 48 ? `${Math.round(o.hoursLate / 24)} 天` : `${o.hoursLate} 小时`), h("td", o.responsible || "—")))))))));
}
