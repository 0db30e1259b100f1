// 台账: upload a ledger CSV as its bytes (UTF-8, UTF-8 with BOM or GBK — the server detects the
// encoding), dry run first with a table of every bad row, then import; export a unit's files.
import { h, mount, field, toast } from "../../shared/ui.js";
import { api, query } from "../../shared/api.js";
import { can } from "../../shared/session.js";
import * as vocab from "../../shared/vocab.js";
import * as units from "../units.js";
import { downloadLink, failureText } from "../../shared/download.js";

const OUTCOMES = { created: "新建", updated: "更新", unchanged: "无变化" };
const ENCODINGS = { "utf-8": "UTF-8", gbk: "GBK" };

/** Row errors from a report, or from a 422 problem (fields "rows[4].公民身份号码"). */
function badRows(report, error) {
  if (report) return report.results.filter((r) => r.errors.length).flatMap((r) => r.errors.map((e) => ({ line: r.line, column: e.field, message: e.message })));
  const out = [];
  for (const e of (error && error.problem.errors) || []) {
    const m = e.field.match(/^rows\[(\d+)\]\.(.*)$/);
    out.push(m ? { line: Number(m[1]), column: m[2], message: e.message } : { line: "—", column: e.field === "file" ? "文件" : e.field, message: e.message });
  }
  return out;
}

function translate(message) {
  return vocab.message(message).replace(/^must be one of /, "应为以下之一：").replace(/^must be a date such as /, "日期格式应如 ")
    .replace(/^the header has no column /, "表头缺少列：").replace(/is required to import.*/, "导入时必填（重复导入按此匹配）")
    .replace(/must be the village's 12-digit code/, "应为村的 12 位区划代码");
}

export async function ledgerView({ app }) {
  const sections = [];
  if (can("persons.import")) {
    const file = h("input", { type: "file", name: "file", accept: ".csv,text/csv" });
    const result = h("div", { id: "import-result", "aria-live": "polite" });
    const dry = h("button.primary", { type: "submit", id: "dry-run" }, "检查（不写入）");
    const run = h("button", { type: "button", id: "import-run", disabled: true }, "正式导入");
    const progress = h("progress", { hidden: true, "aria-label": "导入进度" });
    const progressText = h("p.muted", { role: "status" });
    const form = h("form.card", { novalidate: true },
      field("台账文件（CSV）", file, { hint: "Excel 另存为 CSV 即可：UTF-8、带 BOM 的 UTF-8 或 GBK 编码都能识别。先检查，没有错误再正式导入；一个文件要么全部导入，要么都不导入。" }),
      h("div.row", dry, run), progress, progressText, result);
    let checked = null; // the File that passed the dry run
    file.addEventListener("change", () => {
      checked = null;
      run.disabled = true;
      result.replaceChildren();
      progressText.textContent = "";
    });
    function report(r, error, title) {
      const rows = badRows(r, error);
      // A refusal naming no row (offline, no permission, the server down): the status line says why.
      if (!r && !rows.length) {
        result.replaceChildren();
        return 0;
      }
      const summary = r ? h("p", `${ENCODINGS[r.encoding] || r.encoding} 编码，共 ${r.rows} 行：新建 ${r.created}，更新 ${r.updated}，无变化 ${r.unchanged}，有错误 ${r.failed}。`) : null;
      mount(result, h("h2", title), summary,
        r && r.ignoredColumns.length ? h("p.banner.warn", `以下列不是台账列，已忽略：${r.ignoredColumns.join("、")}`) : null,
        rows.length ? [h("p.banner.bad", { role: "alert" }, `${rows.length} 处错误，请在 Excel 中改正后重新选择文件：`),
          h("div.table-wrap", h("table.bad-rows", h("caption", "有错误的行"),
            h("thead", h("tr", h("th", { scope: "col" }, "行号"), h("th", { scope: "col" }, "列"), h("th", { scope: "col" }, "问题"))),
            h("tbody", rows.map((x) => h("tr", h("td", x.line), h("td", x.column), h("td", translate(x.message)))))))] : null);
      return rows.length;
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = file.files[0];
      if (!chosen) {
        toast("请先选择文件", "bad");
        return;
      }
      dry.disabled = true;
      progressText.textContent = "正在检查…";
      try {
        const r = (await api("POST", `/v1/imports/persons${query({ dryRun: "true" })}`, { text: chosen, contentType: "text/csv", timeout: 300000 })).data;
        const bad = report(r, null, "检查结果");
        checked = bad ? null : chosen;
        run.disabled = !!bad;
        progressText.textContent = bad ? "检查发现错误，未写入任何数据。" : `检查通过，可以正式导入 ${r.rows} 行。`;
      } catch (error) {
        const bad = report(null, error, "检查结果");
        checked = null;
        run.disabled = true;
        progressText.textContent = error.status === 413 ? "文件太大（上限 64 MB）"
          : bad ? "检查发现错误，未写入任何数据。" : `未能检查，未写入任何数据：${error.message}`;
      } finally {
        dry.disabled = false;
      }
    });
    run.addEventListener("click", async () => {
      if (!checked) return;
      run.disabled = true;
      dry.disabled = true;
      progress.hidden = false;
      progress.removeAttribute("value");
      const started = Date.now();
      const tick = setInterval(() => { progressText.textContent = `正在导入… 已用 ${Math.round((Date.now() - started) / 1000)} 秒`; }, 500);
      try {
        const r = (await api("POST", "/v1/imports/persons", { text: checked, contentType: "text/csv", timeout: 600000 })).data;
        progress.max = 1;
        progress.value = 1;
        report(r, null, "导入完成");
        progressText.textContent = `导入完成：新建 ${r.created}，更新 ${r.updated}，无变化 ${r.unchanged}。`;
        toast("导入完成");
        checked = null;
      } catch (error) {
        progress.hidden = true;
        const bad = report(null, error, "导入失败");
        // A file with bad rows is corrected and checked again; one refused for another reason may be sent again.
        if (bad) checked = null;
        run.disabled = !checked;
        progressText.textContent = bad ? "有错误，未写入任何数据。" : `导入失败，未写入任何数据：${error.message}`;
      } finally {
        clearInterval(tick);
        dry.disabled = false;
      }
    });
    sections.push(h("section", { "aria-labelledby": "import-h" }, h("h2", { id: "import-h" }, "导入台账"), form));
  }
  if (can("persons.export")) {
    const scope = await units.inScope(["county", "town", "village"]);
    const picker = units.unitSelect(scope, { name: "unitId" });
    picker.id = "export-unit";
    // Fetched through the API client: a refusal is said here in Chinese, never saved as the CSV.
    const exportStatus = h("p.field-error", { role: "alert", id: "export-error" });
    const link = downloadLink(h("a.button.primary", { id: "export-link", download: "" }, "下载 CSV"), {
      onError: (error) => { exportStatus.textContent = `导出失败：${failureText(error)}`; },
      onDone: () => { exportStatus.textContent = ""; toast("已下载（导出已记入审计日志）"); },
    });
    // A masked file is for reading and printing; one to edit in Excel and import again needs the
    // full numbers, which only those who may reveal them get, with a reason (audited).
    const full = can("identifiers.reveal") ? h("input", { type: "checkbox", name: "reveal", id: "export-reveal" }) : null;
    const reason = h("input", { name: "reason", id: "export-reason", minlength: 4, maxlength: 200 });
    const reasonField = field("导出完整号码的原因", reason, { hint: "至少 4 个字，如“核对后重新导入”，记入审计日志" });
    reasonField.hidden = true;
    const update = () => {
      const name = scope.find((u) => u.id === picker.value)?.name || "台账";
      const revealing = Boolean(full?.checked);
      reasonField.hidden = !revealing;
      const why = reason.value.trim();
      if (revealing && why.length < 4) {
        link.removeAttribute("href");
        link.setAttribute("aria-disabled", "true");
      } else {
        link.href = `/v1/exports/persons${query({ unitId: picker.value, ...(revealing ? { reveal: "identifiers", reason: why } : {}) })}`;
        link.removeAttribute("aria-disabled");
      }
      link.setAttribute("download", `${name}台账.csv`);
    };
    picker.addEventListener("change", update);
    full?.addEventListener("change", update);
    reason.addEventListener("input", update);
    update();
    const hint = full
      ? "导出该单位及下级的全部档案，列与导入相同。默认号码掩码，供查看和打印；要在 Excel 中修改后再导入，请勾选“导出完整号码”并写明原因。导出会记入审计日志。"
      : "导出该单位及下级的全部档案，列与导入相同，号码按你的权限掩码，供查看和打印（掩码的号码不能再导入）。导出会记入审计日志。";
    sections.push(h("section", { "aria-labelledby": "export-h" }, h("h2", { id: "export-h" }, "导出台账"),
      h("div.card", field("单位", picker, { hint }),
        full ? field("导出完整号码（用于修改后再导入）", full) : null, reasonField, link, exportStatus)));
  }
  mount(app.view, h("h1", "台账导入导出"), sections);
}
