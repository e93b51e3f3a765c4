// A private copy of the live-data example (examples/live-store: an AtoCore-like store with a
// WAL database, a registry and a vector directory) in a temp dir, its store made and a signing
// key made, as its README's first steps do. Nothing is sealed yet.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCLI, type CLIRun } from "./cli.js";
import { makeTempDir } from "./temp-dir.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const EXAMPLE = join(REPO, "examples/live-store");
/** What the example makes as it runs; a copy starts without them. */
const MADE = ["store", "ops/release", "backups", ".recoverable"];

export type LiveExample = {
  readonly dir: string;
  readonly path: (relative: string) => string;
  /** The CLI in the example's directory, with --json. */
  readonly cli: (args: readonly string[]) => CLIRun;
  /** One of the example's scripts (make-store.mjs, writer.mjs); throws unless it exits 0. */
  readonly script: (name: string, args?: readonly string[]) => string;
  /** The drill report a drill wrote into `out`. */
  readonly report: (out: string) => DrillReportLike;
};

export type DrillReportLike = {
  verdict: string;
  source: { text: string; record?: string; resolved: string | null } | null;
  checks: { name: string; kind: string; status: string; level?: string; pinnedBy?: string }[];
  findings: { code: string; subject: string; message: string; severity: string }[];
};

export function copyLiveExample(): LiveExample {
  const dir = makeTempDir("recoverable-live-");
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (source) => !MADE.some((made) => source === join(EXAMPLE, made)),
  });
  // The example's scripts and service import better-sqlite3.
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"), "dir");
  const path = (relative: string) => join(dir, relative);
  const script = (name: string, args: readonly string[] = []) => {
    const run = spawnSync(process.execPath, [name, ...args], { cwd: dir, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${name} failed: ${run.stdout}${run.stderr}`);
    return run.stdout;
  };
  script("make-store.mjs");
  const keygen = runCLI(["keygen", "--out", ".recoverable/keys"], { cwd: dir });
  if (keygen.code !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
  return {
    dir,
    path,
    cli: (args) => runCLI([...args, "--json"], { cwd: dir }),
    script,
    report: (out) =>
      JSON.parse(readFileSync(join(dir, out, "drill-report.json"), "utf8")) as DrillReportLike,
  };
}
