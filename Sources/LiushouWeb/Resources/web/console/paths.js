// Dotted field paths ("child.guardian.phone", "migrantFamily[0].name") on plain objects.
export function tokens(path) {
  return path.split(".").flatMap((part) => {
    const m = part.match(/^([^[]+)((?:\[\d+\])*)$/);
    if (!m) return [part];
    return [m[1], ...[...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
  });
}

export function getPath(object, path) {
  let value = object;
  for (const key of tokens(path)) {
    if (value === null || value === undefined) return undefined;
    value = value[key];
  }
  return value;
}

export function setPath(object, path, value) {
  const keys = tokens(path);
  let target = object;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      target[key] = value;
      return;
    }
    if (target[key] === null || target[key] === undefined || typeof target[key] !== "object") target[key] = typeof keys[i + 1] === "number" ? [] : {};
    target = target[key];
  });
}

/** The text a form control shows for a value. */
export function text(value) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(text).sort().join("、");
  return String(value);
}

export const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
