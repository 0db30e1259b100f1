// 组织机构: the unit tree of the caller's scope (expand on demand); create a child, rename, move,
// deactivate — the change buttons only for units.manage.
import { h, mount, field, showFieldErrors, toast } from "../../shared/ui.js";
import { api, post } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import { message } from "../../shared/vocab.js";
import * as units from "../units.js";

const CHILD_KINDS = { county: ["town"], town: ["village", "school", "clinic"], village: ["grid"], grid: [], school: [], clinic: [] };

export async function unitsView({ app, params }) {
  const manage = can("units.manage");
  const selectedId = params.get("id");
  const detail = h("section.card.unit-detail", { "aria-labelledby": "unit-detail-h", id: "unit-detail" });
  const tree = h("ul.tree", { role: "tree", "aria-label": "组织机构树" });

  function node(u, depth) {
    const kids = h("ul", { role: "group", hidden: true });
    const toggle = h("button.twisty", { type: "button", "aria-label": `展开 ${u.name}`, "aria-expanded": "false" }, "▸");
    const leaf = !(CHILD_KINDS[u.kind] || []).length;
    toggle.addEventListener("click", async () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "▾" : "▸";
      kids.hidden = !open;
      if (open && !kids.childElementCount) {
        const list = await units.children(u.id);
        if (!list.length) kids.append(h("li.muted", "（无下级）"));
        for (const c of list) kids.append(node(c, depth + 1));
      }
    });
    return h("li", { role: "treeitem", "aria-level": depth },
      h("div.row.node", leaf ? h("span.twisty-space") : toggle,
        h("a", { href: `#/units?id=${u.id}`, "aria-current": u.id === selectedId ? "true" : null, className: u.active ? "" : "inactive" }, u.name),
        h("span.muted.small", `${units.kindNames[u.kind] || u.kind}${u.code ? ` · ${u.code}` : ""}${u.active ? "" : " · 已停用"}`)),
      kids);
  }
  for (const root of await units.roots()) tree.append(node(root, 1));

  if (selectedId) {
    const { unit: u, etag: openedAt } = await units.unitForChange(selectedId);
    // The version every change below is sent at; a 412 takes the unit's latest version (the form keeps
    // what was typed) so that sending again applies to it.
    let etag = openedAt;
    const refresh = async () => {
      const latest = await units.unitForChange(u.id).catch(() => null);
      if (latest) etag = latest.etag;
      return latest && latest.unit;
    };
    // The server's reasons, in Chinese, for a refusal that names no field of the form.
    const reasons = (error) => {
      const fields = Object.values(error.fields || {}).map(message);
      return fields.length ? fields.join("；") : error.message;
    };
    const parts = [h("h2", { id: "unit-detail-h" }, u.name), h("p.muted", `${units.kindNames[u.kind]}${u.code ? ` · 区划代码 ${u.code}` : ""} · ${u.active ? "在用" : "已停用"}`)];
    if (manage && u.active) {
      const kinds = CHILD_KINDS[u.kind] || [];
      if (kinds.length) {
        const kind = h("select", { name: "kind" }, kinds.map((k) => h("option", { value: k }, units.kindNames[k])));
        const name = h("input", { name: "name", maxlength: 100 });
        const code = h("input", { name: "code", inputmode: "numeric", maxlength: 12 });
        const create = h("form", { novalidate: true, id: "unit-create", "aria-label": "新建下级单位" }, h("h3", "新建下级单位"),
          h("div.grid", field("类型", kind), field("名称", name), field("区划代码", code, { hint: "乡镇和村必填，12 位，与上级一致" })),
          h("button.primary", { type: "submit" }, "新建"));
        // One id for what this form creates: a second click, or a retry after a lost answer, names the same unit.
        const createId = crypto.randomUUID();
        create.addEventListener("submit", async (event) => {
          event.preventDefault();
          const button = create.querySelector("button[type=submit]");
          button.disabled = true;
          try {
            await post("/v1/units", { id: createId, kind: kind.value, name: name.value.trim(), parentId: u.id, ...(code.value.trim() ? { code: code.value.trim() } : {}) });
            units.forget(u.id);
            toast("已新建");
            app.render();
          } catch (error) {
            if (error.status === 422 || error.status === 409) {
              const rest = showFieldErrors(create, error.fields, message);
              if (rest.length || !Object.keys(error.fields || {}).length) toast(rest.length ? rest.map((r) => r.replace(/^[^:]*: /, "")).join("；") : error.message, "bad");
            } else toast(`失败：${error.message}；您填写的内容仍在此处`, "bad");
          } finally {
            button.disabled = false;
          }
        });
        parts.push(create);
      }
      const rename = h("input", { name: "name", value: u.name, maxlength: 100 });
      const renameForm = h("form", { novalidate: true, "aria-label": "改名" }, h("h3", "改名"), field("新名称", rename), h("button", { type: "submit" }, "保存名称"));
      renameForm.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await api("PATCH", `/v1/units/${u.id}`, { body: { name: rename.value.trim() }, ifMatch: etag });
          units.forget(u.id);
          toast("已改名");
          app.render();
        } catch (error) {
          if (error.status === 422) showFieldErrors(renameForm, error.fields, message);
          else if (error.status === 412) {
            const latest = await refresh();
            showFieldErrors(renameForm, { name: latest ? `单位刚被他人修改（现名：${latest.name}），已取得最新版本；您填写的名称仍在此处，可再次保存`
              : "单位刚被他人修改；暂时无法取得最新情况，您填写的名称仍在此处，请稍后再试" });
          } else toast(`失败：${error.message}；您填写的名称仍在此处`, "bad");
        }
      });
      parts.push(renameForm);
      if (u.parentId) {
        const parentKind = { town: "county", village: "town", school: "town", clinic: "town", grid: "village" }[u.kind];
        const candidates = (await units.inScope(parentKind === "village" ? ["village"] : [parentKind])).filter((c) => c.id !== u.parentId);
        if (candidates.length) {
          const target = units.unitSelect(candidates, { name: "parentId" });
          const moveForm = h("form", { novalidate: true, "aria-label": "移动" }, h("h3", "移到其他上级"), field("新上级", target), h("button", { type: "submit" }, "移动（连同下级）"));
          moveForm.addEventListener("submit", async (event) => {
            event.preventDefault();
            try {
              await post(`/v1/units/${u.id}/move`, { parentId: target.value }, { ifMatch: etag });
              units.forget(u.id);
              units.forget(u.parentId);
              units.forget(target.value);
              toast("已移动");
              app.render();
            } catch (error) {
              // Changed by someone else meanwhile: the chosen parent stays chosen, the unit's latest
              // version is taken (moving again applies to it) and what changed is said.
              if (error.status === 412) {
                const latest = await refresh();
                if (latest && !latest.active) {
                  toast("此单位刚被他人停用", "bad");
                  app.render();
                  return;
                }
                showFieldErrors(moveForm, { parentId: !latest ? "单位刚被他人修改；暂时无法取得最新情况，您选择的新上级仍在此处，请稍后再试"
                  : latest.parentId !== u.parentId ? `单位刚被他人移动过（现上级：${await units.name(latest.parentId)}），已取得最新版本；您选择的新上级仍在此处，核对后可再次移动`
                    : `单位刚被他人修改（现名：${latest.name}），已取得最新版本；您选择的新上级仍在此处，可再次移动` });
              } else toast(`无法移动：${error.status === 422 ? reasons(error) : error.message}`, "bad");
            }
          });
          parts.push(moveForm);
        }
      }
      const deactivateNote = h("p.field-error", { role: "alert", id: "unit-deactivate-error" });
      parts.push(h("h3", "停用"), h("p.small.muted", "有在用下级的单位不能停用；单位不会被删除。"),
        h("button.danger", { type: "button", id: "unit-deactivate", onclick: async (event) => {
          const button = event.currentTarget;
          deactivateNote.textContent = "";
          button.disabled = true;
          try {
            await post(`/v1/units/${u.id}/deactivate`, undefined, { ifMatch: etag });
            units.forget(u.id);
            if (u.parentId) units.forget(u.parentId);
            toast("已停用");
            app.render();
          } catch (error) {
            if (error.status === 412) {
              // Changed by someone else meanwhile: its latest version is taken, so a second click applies to it.
              const latest = await refresh();
              if (latest && !latest.active) {
                toast("此单位已被他人停用");
                units.forget(u.id);
                app.render();
                return;
              }
              deactivateNote.textContent = latest ? `单位刚被他人修改（现名：${latest.name}），已取得最新版本；核对后可再次点“停用此单位”`
                : "单位刚被他人修改；暂时无法取得最新情况，请稍后再试";
            } else deactivateNote.textContent = `无法停用：${error.status === 422 ? reasons(error) : error.message}`;
          } finally {
            button.disabled = false;
          }
        } }, "停用此单位"), deactivateNote);
    }
    parts.push(h("p", h("a", { href: `#/persons?unitId=${u.id}` }, "查看此单位的人员档案"), " · ", can("visits.read") ? h("a", { href: `#/overdue?unitId=${u.id}` }, "逾期走访") : null));
    mount(detail, parts);
  } else {
    mount(detail, h("h2", { id: "unit-detail-h" }, "单位详情"), h("p.muted", "在左侧选择一个单位。"));
  }
  mount(app.view, h("h1", "组织机构"), h("div.split", h("section.card", { "aria-label": "单位树" }, tree), detail));
}
