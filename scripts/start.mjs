// `npm start`: the full drill on the bundled example. Makes a demo key pair under the
// git-ignored .recoverable/ when there is none, drills from dir:ops/store, and ends with the
// path of the signed report and the exact command that checks it.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const run = (args, options = {}) =>
  spawnSync(process.execPath, [cli, ...args], { stdio: "inherit", ...options });

if (!existsSync(".recoverable/keys/drill.key")) {
  console.log("making a demo signing key in .recoverable/keys (git-ignored)");
  if (run(["keygen", "--out", ".recoverable/keys"]).status !== 0) process.exit(3);
}
const stamp = new Date()
  .toISOString()
  .replace(/[-:]/g, "")
  .replace(/\.\d{3}Z$/, "Z");
const out = `.recoverable/reports/${stamp}`;
const drill = run([
  "drill",
  "--source",
  "dir:ops/store",
  "--key",
  ".recoverable/keys/drill.key",
  "--out",
  out,
]);
if (existsSync(`${out}/drill-report.dsse.json`)) {
  const report = JSON.parse(readFileSync(`${out}/drill-report.json`, "utf8"));
  console.log(`\nThe signed report is ${out}/drill-report.dsse.json`);
  console.log("Check it with:");
  console.log(
    `  npx recoverable report verify ${out}/drill-report.dsse.json --key .recoverable/keys/drill.pub --release ${report.releaseIdentity.sha256}`,
  );
}
process.exit(drill.status ?? 3);
