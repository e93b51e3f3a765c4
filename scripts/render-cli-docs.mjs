// Renders the generated blocks of docs/cli.md from the commander definitions in src/cli (built
// to dist/), so the reference of every verb says exactly what its --help says; the prose
// around the blocks is kept as written. `--check` fails when the file on disk differs.
import { readFileSync, writeFileSync } from "node:fs";
import { createProgram } from "../dist/cli/program.js";
import { renderCLIDocs } from "../dist/cli/render-cli-docs.js";

const target = new URL("../docs/cli.md", import.meta.url);
const current = readFileSync(target, "utf8");
let rendered;
try {
  rendered = renderCLIDocs(createProgram(), current);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
if (process.argv.includes("--check")) {
  if (current !== rendered) {
    console.error("docs/cli.md is out of date: run `npm run docs:cli`");
    process.exit(1);
  }
} else if (current !== rendered) {
  writeFileSync(target, rendered);
  console.log("wrote docs/cli.md");
}
