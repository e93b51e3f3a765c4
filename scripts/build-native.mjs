// Builds the optional addon native/rename-exchange (renameat2 RENAME_EXCHANGE, for restore's
// swap) when the package is installed: `npm ci` here, `npm install recoverable` for a user.
// It never fails an install. Without Linux, a C compiler, Node's headers or node-gyp (which
// comes with npm), it says why on stderr and exits 0, and restore swaps with two journaled
// renames instead (docs/restore.md, docs/decisions.md).
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const addonDir = fileURLToPath(new URL("../native/rename-exchange/", import.meta.url));
const built = join(addonDir, "build", "Release", "rename_exchange.node");

function skip(reason) {
  rmSync(join(addonDir, "build"), { recursive: true, force: true });
  process.stderr.write(
    `recoverable: the rename-exchange addon was not built (${reason}); restore will swap a restored store in with two journaled renames instead\n`,
  );
  process.exit(0);
}

const prefix = dirname(dirname(process.execPath));
const NODE_GYP = join("node_modules", "node-gyp", "bin", "node-gyp.js");

/** node-gyp: the one npm runs scripts with, else the one of the npm that runs, or of node's. */
function nodeGyp() {
  const execPath = process.env["npm_execpath"];
  const candidates = [
    process.env["npm_config_node_gyp"],
    execPath ? join(dirname(execPath), "..", NODE_GYP) : null,
    join(prefix, "lib", "node_modules", "npm", NODE_GYP),
  ];
  return candidates.find((path) => path && existsSync(path)) ?? null;
}

/** Node's own headers when npm names none: installed beside node (Debian's /usr, nvm's tree). */
function nodedirArguments() {
  if (process.env["npm_config_nodedir"]) return [];
  return existsSync(join(prefix, "include", "node", "node_api.h")) ? [`--nodedir=${prefix}`] : [];
}

if (process.platform !== "linux") skip(`renameat2 is Linux's, this is ${process.platform}`);
const gyp = nodeGyp();
if (gyp === null) skip("node-gyp was not found: it comes with npm");
const build = spawnSync(process.execPath, [gyp, "rebuild", ...nodedirArguments()], {
  cwd: addonDir,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
  timeout: 300_000,
});
if (build.status !== 0) {
  // node-gyp's first error says why (no Python, no compiler, make failed); the rest is context.
  const lines = `${build.stderr ?? ""}`.split("\n").map((line) => line.trim());
  const why = lines.find((line) =>
    /^gyp ERR! (stack Error|find Python|configure error)/.test(line),
  );
  skip(
    `node-gyp rebuild failed: ${build.error?.message ?? why ?? lines.filter(Boolean).at(-1) ?? ""}`,
  );
}
try {
  const addon = createRequire(import.meta.url)(built);
  if (typeof addon.exchange !== "function") skip("it does not export exchange()");
} catch (error) {
  skip(`it does not load: ${error instanceof Error ? error.message : String(error)}`);
}
process.stdout.write(`recoverable: built ${built}\n`);
