// 用户与授权 and 服务账号: the accounts homed in the caller's scope (search by name, filter by unit,
// keyset pages), one account's card with its grants, and the forms to create and change accounts.
import { h, mount, field, showFieldErrors, toast, formatTime } from "../../shared/ui.js";
import { get, post } from "../../shared/api.js";
import { can, profile } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";

// Roles each role may grant (docs/permissions.md).
const GRANTABLE = {
  county_admin: Object.keys(vocab.roles),
  town_admin: ["child_welfare_supervisor", "village_cadre", "grid_worker", "volunteer", "school_staff", "clinic_staff", "relief_officer", "legal_aid_officer"],
};
const RECENT = "liushou.console.accounts";

// Administration and the audit log need a person (second factor, idle logout): the server refuses
// these roles to service accounts.
const PERSON_ONLY = ["county_admin", "town_admin", "auditor"];

function grantableRoles(service = false) {
  const mine = (profile()?.grants || []).map((g) => g.role);
  return [...new Set(mine.flatMap((r) => GRANTABLE[r] || []))].filter((r) => !service || !PERSON_ONLY.includes(r));
}

function remember(account) {
  const list = JSON.parse(sessionStorage.getItem(RECENT) || "[]").filter((a) => a.id !== account.id);
  list.unshift({ id: account.id, username: account.username, displayName: account.displayName, kind: account.kind });
  sessionStorage.setItem(RECENT, JSON.stringify(list.slice(0, 30)));
}

function roleSelect(name = "role", service = false) {
  return h("select", { name }, grantableRoles(service).map((r) => h("option", { value: r }, vocab.roles[r] || r)));
}

async function scopeUnits() {
  return units.inScope(["county", "town", "village", "grid", "school", "clinic"], 800).then(async (list) => {
    // Schools and clinics hang under towns; grids under villages.
    const extra = (await Promise.all(list.filter((u) => u.kind === "town").map((t) => units.children(t.id)))).flat().filter((u) => ["school", "clinic"].includes(u.kind) && u.active);
    const all = [...list, ...extra.filter((e) => !list.some((u) => u.id === e.id))];
    return all.sort((a, b) => a.path.localeCompare(b.path));
  });
}

// The account changed after this card was drawn (412: another administrator, or its owner changing
// the password): the card is drawn again as the account now is, so the change is not made to an
// account nobody has looked at.
const STALE = "此账号刚被修改（授权、密码或状态），已显示最新情况，请核对后重试";
// What was chosen or typed in a change refused that way, put back on the redrawn card (held in
// memory only, never stored).
let refused = null;
// Leaving the account (another page, logout) drops it; a redraw of the same page keeps it.
window.addEventListener("hashchange", () => {
  refused = null;
});

async function accountCard(app, account, scope) {
  const kept = refused?.account === account.id ? refused : {};
  refused = null;
  const manage = can("users.manage");
  // Every change names the version this card shows.
  const change = (path, body) => post(path, body, { ifMatch: account.version });
  const unitNames = await Promise.all(account.grants.map((g) => units.name(g.unitId)));
  const homeName = await units.name(account.homeUnitId);
  const grants = h("ul.grants", account.grants.map((g, i) => h("li", `${vocab.roles[g.role] || g.role} · ${unitNames[i]}（${formatTime(g.grantedAt)} 授予）`,
    manage ? h("button", { type: "button", className: "small", onclick: async () => {
      try {
        await change(`/v1/users/${account.id}/grants/${g.id}/revoke`);
        toast("已撤销");
        app.go(`#/users?id=${account.id}`);
        app.render();
      } catch (error) {
        if (error.status === 412) {
          toast(STALE, "bad");
          app.render();
        } else toast(`失败：${error.message}`, "bad");
      }
    } }, "撤销") : null)));
  const parts = [h("h2", { id: "account-h" }, `${account.displayName}（${account.username}）`),
    h("p", account.kind === "service" ? h("span.badge", "服务账号") : null, " ", account.disabled ? h("span.badge.bad", "已停用") : h("span.badge.ok", "在用"), " ",
      account.locked ? h("span.badge.warn", "已锁定") : null, " ", account.mustChangePassword ? h("span.badge.warn", "须修改密码") : null,
      h("span.muted", ` 所属单位 ${homeName}`)),
    h("h3", "授权"), account.grants.length ? grants : h("p.muted", "无授权")];
  if (manage && !account.disabled) {
    const role = roleSelect("role", account.kind === "service");
    const unit = units.unitSelect(scope, { name: "unitId" });
    if (kept.role) {
      role.value = kept.role;
      unit.value = kept.unitId;
    }
    const grantForm = h("form", { novalidate: true, id: "grant-form", "aria-label": "授予角色" }, h("h3", "授予角色"),
      h("div.grid", field("角色", role), field("单位", unit)), h("button.primary", { type: "submit" }, "授予"));
    grantForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = grantForm.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await change(`/v1/users/${account.id}/grants`, { role: role.value, unitId: unit.value });
        toast("已授予");
        app.render();
      } catch (error) {
        if (error.status === 412) {
          refused = { account: account.id, role: role.value, unitId: unit.value };
          toast(STALE, "bad");
          app.render();
        } else if (error.status === 422) {
          const rest = showFieldErrors(grantForm, error.fields, vocab.message);
          if (rest.length) toast(rest.map((r) => r.replace(/^[^:]*: /, "")).join("；"), "bad");
        } else toast(error.status === 403 ? "你不能在此单位授予此角色" : `失败：${error.message}`, "bad");
      } finally {
        button.disabled = false;
      }
    });
    parts.push(grantForm);
    if (account.kind === "user") {
      const password = h("input", { name: "password", type: "password", autocomplete: "new-password" });
      // As a property, not an attribute: the typed password stays out of the page's markup.
      if (kept.password) password.value = kept.password;
      const reset = h("form", { novalidate: true, "aria-label": "重置密码" }, h("h3", "重置密码"),
        field("临时密码", password, { hint: "至少 8 位，3 类字符；用户下次登录须修改，其所有会话立即失效" }), h("button", { type: "submit" }, "重置"));
      reset.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          const updated = await change(`/v1/users/${account.id}/reset-password`, { password: password.value });
          account.version = updated.version;
          toast("已重置密码");
          password.value = "";
        } catch (error) {
          if (error.status === 412) {
            refused = { account: account.id, password: password.value };
            toast(STALE, "bad");
            app.render();
          } else if (error.status === 422) showFieldErrors(reset, error.fields, vocab.message);
          else toast(`失败：${error.message}`, "bad");
        }
      });
      const resetTwoFactor = h("button", { type: "button", id: "reset-two-factor" }, "重置双因素认证");
      resetTwoFactor.addEventListener("click", async () => {
        if (!confirm(`确定重置 ${account.username} 的身份验证器？其所有会话立即失效，下次登录须重新绑定。`)) return;
        try {
          const updated = await change(`/v1/users/${account.id}/reset-two-factor`);
          account.version = updated.version;
          toast("已重置双因素认证");
        } catch (error) {
          if (error.status === 412) {
            toast(STALE, "bad");
            app.render();
          } else toast(error.status === 403 ? "只有该账号的上级管理员可以重置" : `失败：${error.message}`, "bad");
        }
      });
      parts.push(reset, h("h3", "双因素认证"),
        h("p.hint", "用户手机丢失或更换时使用：删除其身份验证器和恢复码，下次登录重新绑定。"), resetTwoFactor);
    } else {
      const label = h("input", { name: "label", maxlength: 100 });
      const issue = h("form", { novalidate: true, "aria-label": "签发令牌" }, h("h3", "签发新令牌（轮换）"), field("令牌说明", label), h("button", { type: "submit", id: "issue-token" }, "签发"));
      const shown = h("div");
      const issueButton = issue.querySelector("button[type=submit]");
      issue.addEventListener("submit", async (event) => {
        event.preventDefault();
        // Held while the request runs: a second click would issue a second token.
        if (issueButton.disabled) return;
        issueButton.disabled = true;
        try {
          const issued = await post(`/v1/service-accounts/${account.id}/tokens`, label.value.trim() ? { label: label.value.trim() } : {});
          mount(shown, tokenBox(issued));
        } catch (error) {
          if (error.status === 422) {
            const rest = showFieldErrors(issue, error.fields, vocab.message);
            if (rest.length) toast(rest.map((r) => r.replace(/^[^:]*: /, "")).join("；"), "bad");
          } else toast(`失败：${error.message}`, "bad");
        } finally {
          issueButton.disabled = false;
        }
      });
      const tokenId = h("input", { name: "tokenId", autocomplete: "off" });
      const revoke = h("form", { novalidate: true, "aria-label": "吊销令牌" }, h("h3", "吊销令牌"), field("令牌 ID", tokenId), h("button", { type: "submit" }, "吊销"));
      revoke.addEventListener("submit", async (event) => {
        event.preventDefault();
        try {
          await post(`/v1/service-accounts/${account.id}/tokens/${tokenId.value.trim()}/revoke`);
          toast("已吊销");
        } catch (error) {
          toast(`失败：${error.message}`, "bad");
        }
      });
      parts.push(issue, shown, revoke);
    }
    parts.push(h("h3", "停用账号"), h("button.danger", { type: "button", onclick: async () => {
      try {
        await change(`/v1/users/${account.id}/disable`);
        toast("已停用");
        app.render();
      } catch (error) {
        if (error.status === 412) {
          toast(STALE, "bad");
          app.render();
        } else toast(`失败：${error.message}`, "bad");
      }
    } }, "停用（会话和令牌立即失效）"));
  }
  return h("section.card", { "aria-labelledby": "account-h", id: "account" }, parts);
}

function tokenBox(issued) {
  return h("div.banner.warn", { role: "alert" }, h("p", "令牌只显示这一次，请立即复制保存："), h("code.token", { id: "issued-token" }, issued.token),
    h("p.small", `令牌 ID ${issued.tokenId}${issued.expiresAt ? `，到期 ${formatTime(issued.expiresAt)}` : "，不过期"}`));
}

function createForm(app, scope, kind) {
  const username = h("input", { name: "username", autocomplete: "off", autocapitalize: "off", spellcheck: "false" });
  const displayName = h("input", { name: "displayName", maxlength: 100 });
  const home = units.unitSelect(scope, { name: "homeUnitId" });
  const role = roleSelect("grants[0].role", kind === "service");
  const unit = units.unitSelect(scope, { name: "grants[0].unitId" });
  const password = h("input", { name: "password", type: "password", autocomplete: "new-password" });
  const label = h("input", { name: "tokenLabel", maxlength: 100 });
  const problems = h("div", { role: "alert" });
  const form = h("form.card", { novalidate: true, id: kind === "user" ? "user-create" : "service-create", "aria-labelledby": `${kind}-create-h` },
    h("h2", { id: `${kind}-create-h` }, kind === "user" ? "新建用户" : "新建服务账号"), problems,
    h("div.grid", field("用户名", username, { hint: "小写字母、数字、. _ -，3–64 位" }), field("姓名或名称", displayName), field("所属单位", home),
      field("角色", role), field("授权单位", unit),
      kind === "user" ? field("初始密码", password, { hint: "至少 8 位，3 类字符；首次登录须修改" }) : field("令牌说明", label)),
    h("button.primary", { type: "submit" }, "新建"));
  // One id per account this form creates: a retry after a lost answer names the same account.
  let id = crypto.randomUUID();
  const route = kind === "user" ? "users" : "service-accounts";
  const submit = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.replaceChildren();
    const body = { id, username: username.value.trim(), displayName: displayName.value.trim(), homeUnitId: home.value, grants: [{ role: role.value, unitId: unit.value }] };
    submit.disabled = true;
    try {
      if (kind === "user") {
        const account = await post("/v1/users", { ...body, password: password.value });
        remember(account);
        toast("已新建用户");
        app.go(`#/users?id=${account.id}`);
      } else {
        const issued = await post("/v1/service-accounts", { ...body, ...(label.value.trim() ? { tokenLabel: label.value.trim() } : {}) });
        remember(issued.account);
        mount(form, h("h2", { id: `${kind}-create-h` }, "服务账号已新建"), tokenBox(issued), h("a.button", { href: `#/service-accounts?id=${issued.account.id}` }, "打开此账号"));
      }
    } catch (error) {
      const code = error.problem && error.problem.code;
      if (error.status === 409 && code === "already_created") {
        // An earlier submit created this service account (its answer, with the first token, was lost):
        // the token is not shown again; a new one is issued on the account's card.
        showFieldErrors(form, {});
        mount(problems, h("div.banner.warn", { role: "alert" },
          h("p", "此服务账号已在之前的一次提交中新建，但当时的回答没有送达：它的第一个令牌只显示一次，已无法再查看。"),
          h("p", "请打开此账号，签发一个新令牌（旧令牌请在确认未被使用后吊销）。"),
          h("a.button.primary", { href: `#/${route}?id=${id}` }, "打开此账号并签发新令牌")));
      } else if (error.status === 409 && code === "id_conflict") {
        // An earlier submit created an account under this id with other details (its answer was
        // lost, then the form was changed): that account stands; what is typed now goes under a new id.
        const earlier = id;
        id = crypto.randomUUID();
        showFieldErrors(form, {});
        mount(problems, h("div.banner.warn", { role: "alert" },
          h("p", "之前的一次提交已经新建了一个账号（当时的回答没有送达），它的用户名或所属单位与现在填写的不同。"),
          h("p", "请先核对那个账号；如仍需新建现在填写的账号，请再点“新建”。"),
          h("a.button", { href: `#/${route}?id=${earlier}` }, "查看之前新建的账号")));
      } else if (error.status === 422 || error.status === 409) {
        const rest = showFieldErrors(form, error.fields, vocab.message);
        mount(problems, h("p.banner.bad", code === "username_taken" ? "用户名已被使用，请换一个" : error.status === 409 ? error.message
          : `请改正标出的内容${rest.length ? "：" + rest.join("；") : ""}`));
      } else mount(problems, h("p.banner.bad", error.status === 403 ? "你不能在此单位授予此角色" : `失败：${error.message}`));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

async function accountsPage({ app, params }, kind) {
  const scope = await scopeUnits();
  const id = params.get("id");
  let account = null;
  let notFound = false;
  if (id) {
    try {
      account = await get(`/v1/users/${id}`);
      remember(account);
    } catch (error) {
      if (error.status === 404 || error.status === 400) notFound = true;
      else throw error;
    }
  }
  const lookup = h("input", { name: "id", autocomplete: "off", value: id || "" });
  const lookupForm = h("form.filters.card", { role: "search", "aria-label": "按账号 ID 打开" }, field("账号 ID", lookup, { hint: "可从审计日志的账号列复制" }), h("button", { type: "submit" }, "打开"));
  const route = kind === "user" ? "users" : "service-accounts";
  lookupForm.addEventListener("submit", (event) => {
    event.preventDefault();
    app.go(`#/${route}?id=${encodeURIComponent(lookup.value.trim())}`);
  });
  const recent = JSON.parse(sessionStorage.getItem(RECENT) || "[]").filter((a) => (kind === "user" ? a.kind !== "service" : a.kind === "service"));
  const manage = kind === "user" ? can("users.manage") : can("service_accounts.manage");
  mount(app.view, h("h1", kind === "user" ? "用户与授权" : "服务账号"),
    notFound ? h("p.banner.warn", "找不到此账号，或它不在你的管理范围内。") : null,
    account ? await accountCard(app, account, scope) : null,
    await accountList(app, params, scope, kind, route),
    lookupForm,
    recent.length ? h("section.card", { "aria-labelledby": "recent-h" }, h("h2", { id: "recent-h" }, "本次打开过的账号"),
      h("ul", recent.map((a) => h("li", h("a", { href: `#/${route}?id=${a.id}` }, `${a.displayName}（${a.username}）`))))) : null,
    manage ? createForm(app, scope, kind) : null);
}

// The accounts homed in the caller's scope (GET /v1/users), filtered by name and unit, 50 at a time.
async function accountList(app, params, scope, kind, route) {
  const current = { q: params.get("q") || "", unitId: params.get("unitId") || "" };
  const search = h("input", { name: "q", id: `${route}-q`, type: "search", value: current.q, maxlength: 64, autocomplete: "off" });
  const unit = units.unitSelect(scope, { name: "unitId", value: current.unitId, empty: "全部（我的范围）" });
  unit.id = `${route}-unit`;
  const filters = h("form.filters", { role: "search", "aria-label": "查找账号" },
    h("div.field", h("label", { for: search.id }, "用户名或姓名"), search),
    h("div.field", h("label", { for: unit.id }, "所属单位"), unit),
    h("div.field.buttons", h("button.primary", { type: "submit" }, "查询"), h("a.button", { href: `#/${route}` }, "清除")));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if (search.value.trim()) next.set("q", search.value.trim());
    if (unit.value) next.set("unitId", unit.value);
    const text = next.toString();
    app.go(`#/${route}${text ? "?" + text : ""}`);
  });
  const body = h("tbody");
  const status = h("p.muted", { role: "status", "aria-live": "polite" });
  const more = h("button", { type: "button", hidden: true }, "加载更多");
  const table = h("table.list", h("caption.sr-only", "账号列表"),
    h("thead", h("tr", ["用户名", "姓名", "所属单位", "角色", "状态"].map((t) => h("th", { scope: "col" }, t)))), body);
  let after = null;
  let shown = 0;
  async function load() {
    more.disabled = true;
    status.textContent = "正在加载…";
    try {
      const qs = new URLSearchParams({ kind, limit: "50" });
      if (current.q) qs.set("q", current.q);
      if (current.unitId) qs.set("unitId", current.unitId);
      if (after) qs.set("after", after);
      const page = await get(`/v1/users?${qs}`);
      const homes = await Promise.all(page.items.map((a) => units.name(a.homeUnitId)));
      page.items.forEach((a, i) => body.append(h("tr", { dataset: { id: a.id } },
        h("td", h("a", { href: `#/${route}?id=${a.id}` }, a.username)),
        h("td", a.displayName), h("td", homes[i]),
        h("td", [...new Set(a.grants.map((g) => vocab.roles[g.role] || g.role))].join("、") || "—"),
        h("td", a.disabled ? h("span.badge.bad", "已停用") : a.locked ? h("span.badge.warn", "已锁定") : h("span.badge.ok", "在用")))));
      shown += page.items.length;
      after = page.nextCursor || null;
      more.hidden = !after;
      status.textContent = shown ? `已显示 ${shown} 个账号${after ? "，还有更多" : "（全部）"}` : "没有符合条件的账号";
    } catch (error) {
      status.textContent = error.status === 422 ? `查询条件有误：${error.message}` : `加载失败：${error.message}`;
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", load);
  await load();
  return h("section.card", { "aria-labelledby": `${route}-list-h` }, h("h2", { id: `${route}-list-h` }, kind === "user" ? "我管理范围内的用户" : "我管理范围内的服务账号"),
    filters, h("div.table-wrap", table), status, more);
}

export const usersView = (ctx) => accountsPage(ctx, "user");
export const serviceAccountsView = (ctx) => accountsPage(ctx, "service");
