// Links every web client's module graph in Node (no browser): a syntax error, a name declared twice
// or an import of a name a module does not export fails here in a second, before any browser test.
// Evaluation is not the point: the browser-only globals (document, window, …) a module touches when
// it runs are stubbed as far as loading needs, and errors thrown while running are ignored.
// Usage: node deploy/check-web-modules.mjs
import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "../Sources/LiushouWeb/Resources/web");
const modules = [];
(function walk(directory) {
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".js") && name !== "sw.js") modules.push(path);
  }
})(root);

let failed = 0;
for (const path of modules.sort()) {
  try {
    await import(pathToFileURL(path).href);
  } catch (error) {
    // Linking errors are SyntaxErrors; anything else happened while the module ran without a browser.
    if (error instanceof SyntaxError) {
      failed += 1;
      console.error(`${path.slice(root.length + 1)}: ${error.message}`);
    }
  }
}
console.log(`${modules.length} web modules linked, ${failed} failed`);
process.exit(failed ? 1 : 0);
