// Files the API sends (CSV exports): fetched through the one API client with the session, so a
// refusal (logged out, no permission, offline) comes back as a Chinese message instead of the
// server's English JSON shown in a tab or saved under the file's name.
import { api, isSecondFactorDue } from "./api.js";
import { toast } from "./ui.js";
import { message } from "./vocab.js";

/** Why a download was refused, in Chinese: the server's field messages when it names some (a filter of the address), else the status. */
export function failureText(error) {
  const fields = Object.values((error && error.fields) || {});
  return [400, 422].includes(error.status) && fields.length ? fields.map(message).join("；") : error.message;
}

/** The name the server gives the file (RFC 6266 `filename*`), else `fallback`, else its plain `filename`. */
export function fileName(headers, fallback) {
  const value = (headers && headers.get("content-disposition")) || "";
  const star = value.match(/filename\*\s*=\s*UTF-8''([^;]+)/i);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // A malformed name: the caller's own is used.
    }
  }
  if (fallback) return fallback;
  const plain = value.match(/filename\s*=\s*"?([^";]+)"?/i);
  return plain ? plain[1] : "download.csv";
}

/**
 * Downloads `path` and saves it as a file (the name the server gives, else `fallback`). Resolves the
 * name saved; rejects with the API client's ApiError (a Chinese `message`) when the server refuses.
 */
export async function download(path, fallback, { timeout = 300000 } = {}) {
  const response = await api("GET", path, { raw: true, timeout, headers: { accept: "text/csv, application/problem+json" } });
  const blob = await response.blob();
  const name = fileName(response.headers, fallback);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started saving by now; the blob's memory is given back a little later.
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

/**
 * Makes a link to a file of the API download through the API client: a click fetches the file with
 * the session and saves it under the server's name (else the link's `download` name); a refusal is
 * said in Chinese (`onError`, by default a toast) instead of the server's JSON being opened or saved.
 * The link keeps its address, so what it leads to stays visible. A link without an address does nothing.
 */
export function downloadLink(link, { onError = (error) => toast(`下载失败：${failureText(error)}`, "bad"), onDone = null } = {}) {
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const href = link.getAttribute("href");
    if (!href || link.getAttribute("aria-busy") === "true") return;
    link.setAttribute("aria-busy", "true");
    try {
      const name = await download(href, link.getAttribute("download") || "");
      if (onDone) onDone(name);
    } catch (error) {
      // A session ended or a code owed: the page's own handlers take over.
      if (error.status === 401 || isSecondFactorDue(error)) return;
      onError(error);
    } finally {
      link.removeAttribute("aria-busy");
    }
  });
  return link;
}
