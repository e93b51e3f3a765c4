// Renders docs/findings.md from the finding catalogue in src/findings/catalogue.ts (built to
// dist/), so the documentation of codes can never drift from the code. `--check` fails when
// the file on disk differs.
import { readFileSync, writeFileSync } from "node:fs";
import { renderFindingsMarkdown } from "../dist/findings/render-catalogue.js";

const target = new URL("../docs/findings.md", import.meta.url);
const rendered = renderFindingsMarkdown();
if (process.argv.includes("--check")) {
  const current = readFileSync(target, "utf8");
  if (current !== rendered) {
    console.error("docs/findings.md is out of date: run `npm run docs:findings`");
    process.exit(1);
  }
} else {
  writeFileSync(target, rendered);
}
