// Organisation units as the console needs them: names by id, children, the villages and grids in
// the caller's scope, and <select> controls built from them. Cached for the page's life.
import { h } from "../shared/ui.js";
import { get, api } from "../shared/api.js";
import { profile } from "../shared/session.js";

const units = new Map();
const childLists = new Map();
export const kindNames = { county: "县", town: "乡镇", village: "村", grid: "网格", school: "学校", clinic: "卫生院（室）" };

export async function unit(id) {
  if (!id) return null;
  if (!units.has(id)) {
    units.set(id, get(`/v1/units/${id}`).catch(() => null));
  }
  return units.get(id);
}

/** A unit and its ETag (for changes). */
export async function unitForChange(id) {
  const response = await api("GET", `/v1/units/${id}`);
  return { unit: response.data, etag: (response.headers.get("etag") || "").replaceAll('"', "") };
}

export function forget(id) {
  units.delete(id);
  childLists.delete(id);
}

/** Drops everything cached: another user's scope differs (called at logout). */
export function forgetAll() {
  units.clear();
  childLists.clear();
}

export async function children(id) {
  if (!childLists.has(id)) childLists.set(id, get(`/v1/units/${id}/children`).then((r) => {
    for (const u of r.items) units.set(u.id, Promise.resolve(u));
    return r.items;
  }).catch(() => []));
  return childLists.get(id);
}

export async function name(id) {
  const u = await unit(id);
  return u ? u.name : "—";
}

/** The caller's grant units (deduplicated, outermost first). */
export async function roots() {
  const p = profile();
  const ids = [...new Set((p?.grants || []).map((g) => g.unitId))];
  const list = (await Promise.all(ids.map(unit))).filter(Boolean);
  list.sort((a, b) => a.path.length - b.path.length);
  return list.filter((u) => !list.some((o) => o !== u && u.path.startsWith(o.path + ".")));
}

/** Units of the given kinds under the caller's grants, walking down to (and not below) villages. */
export async function inScope(kinds = ["county", "town", "village"], limit = 600) {
  const out = [];
  const queue = [...(await roots())];
  const seen = new Set();
  while (queue.length && out.length < limit) {
    const next = queue.shift();
    if (seen.has(next.id)) continue;
    seen.add(next.id);
    if (kinds.includes(next.kind)) out.push(next);
    if (["county", "town"].includes(next.kind) || (kinds.includes("grid") && next.kind === "village")) {
      const kids = (await children(next.id)).filter((c) => c.active);
      queue.push(...kids);
    }
  }
  return out;
}

/** A <select> of units (active), indented by depth; `empty` adds a first blank option. */
export function unitSelect(list, { name, value = "", empty = null } = {}) {
  const minDepth = Math.min(...list.map((u) => u.path.split(".").length), 99);
  return h("select", { name },
    empty !== null ? h("option", { value: "" }, empty) : null,
    list.map((u) => h("option", { value: u.id, selected: u.id === value ? true : null },
      `${"　".repeat(u.path.split(".").length - minDepth)}${u.name}（${kindNames[u.kind] || u.kind}）`)));
}

/** Grids of a village. */
export async function grids(villageId) {
  if (!villageId) return [];
  return (await children(villageId)).filter((c) => c.kind === "grid" && c.active);
}

/** Schools in the caller's scope (children of towns). */
export async function schools() {
  const towns = await inScope(["town"]);
  const lists = await Promise.all(towns.map((t) => children(t.id)));
  return lists.flat().filter((u) => u.kind === "school" && u.active);
}
