// Small building blocks for screens that list API records: a table whose columns the screen names
// (a Chinese header and how to show each row's value), a list of label–value pairs, and the date,
// time and code helpers they use. Nothing here shows a field it was not asked for: a screen names
// every column, so a field the API adds later never appears under its raw name.
import { h } from "../shared/ui.js";

const CHINA = "Asia/Shanghai";
const stamp = new Intl.DateTimeFormat("en-CA", {
  timeZone: CHINA, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
const dateOnly = new Intl.DateTimeFormat("en-CA", { timeZone: CHINA, year: "numeric", month: "2-digit", day: "2-digit" });

/** True for a value that shows nothing (absent, null or blank). */
export function blank(value) {
  return value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length);
}

/** The value, or "—" when it is blank. */
export function dash(value) {
  return blank(value) ? "—" : value;
}

/** "2026-03-01" from a calendar date ("2026-03-01") or an instant (its date in China time); "—" when absent. */
export function day(value) {
  if (blank(value)) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateOnly.format(date);
}

/** "2026-03-01 08:05" in China time from an instant (a no-break space keeps it on one line); "—" when absent. */
export function when(iso) {
  if (blank(iso)) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const part = Object.fromEntries(stamp.formatToParts(date).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day}\u00a0${part.hour}:${part.minute}`;
}

/** 是 / 否 / — for a yes-or-no value. */
export function yesNo(value) {
  return value === true ? "是" : value === false ? "否" : "—";
}

/**
 * The Chinese label of a code. A code the map does not know (one the server added after this
 * screen) shows as it is: better than hiding that something is there.
 */
export function label(map, code) {
  if (blank(code)) return "—";
  return (map && Object.prototype.hasOwnProperty.call(map, code) ? map[code] : null) || String(code);
}

/** Labels of a list of codes, joined with 、. */
export function labels(map, codes) {
  return blank(codes) ? "—" : codes.map((c) => label(map, c)).join("、");
}

/**
 * A table of records with the columns the screen names: `columns` is a list of [header, (record)
 * => content]; content may be text or nodes, blank content shows "—". `empty` is shown instead
 * when there are no records.
 */
export function table(items, caption, columns, { empty = "暂无记录", className = "", captionVisible = false } = {}) {
  if (!items || !items.length) return h("p.muted", empty);
  const body = h("tbody");
  appendRows(body, items, columns);
  return h("div.table-wrap", h(`table${className ? "." + className : ""}`,
    h(captionVisible ? "caption" : "caption.sr-only", caption),
    h("thead", h("tr", columns.map(([header]) => h("th", { scope: "col" }, header)))),
    body));
}

/** Adds rows to a table made by `table` (a later page of the same list). */
export function appendRows(tbody, items, columns) {
  for (const item of items) {
    tbody.append(h("tr", columns.map(([, value]) => {
      const content = value(item);
      return h("td", blank(content) ? "—" : content);
    })));
  }
}

/** Label–value pairs (`rows` as [label, value]); pairs with a blank value are left out. */
export function pairs(rows) {
  const shown = rows.filter((row) => row && !blank(row[1]));
  if (!shown.length) return null;
  return h("dl.pairs", shown.map(([k, v]) => [h("dt", k), h("dd", v)]));
}
