// The signed report of a real drill of a 100,000-file store, read by every verb that reads
// reports: report verify, gate, audit and report render in each format. Its report was once a
// 28 MB envelope that made them all fail with "Maximum call stack size exceeded"; its passed
// store checks are now summarised (src/report/store-checks.ts), and the unit tests of the
// readers parse two million checks.
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const FILES = 100_000;
const PER_DIR = 1000;
const KEY = ".recoverable/keys/drill.pub";
// Under the drill config's reports.dir, where gate and audit look.
const OUT = ".recoverable/reports/large";
const ENVELOPE = `${OUT}/drill-report.dsse.json`;
// Writing, sealing and drilling 100,000 files takes about a minute on an idle 2-core machine.
const SLOW = 20 * 60_000;

let example: ExampleCopy;
beforeAll(() => {
  example = copyExample();
  for (let d = 0; d < FILES / PER_DIR; d++) {
    const dir = example.path(`ops/store/tiles/${String(d).padStart(3, "0")}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < PER_DIR; i++) writeFileSync(join(dir, `t${i}.txt`), `tile ${d} ${i}\n`);
  }
  example.seal("atlas-2026.11.2", "2026.11.2");
  const drill = runCLI(
    ["drill", "--json", "--source", "dir:ops/store", "--scratch", "scratch", "--out", OUT],
    { cwd: example.dir },
  );
  expect(drill.code, drill.stdout.slice(0, 2000) + drill.stderr).toBe(0);
}, SLOW);

// Removed here, with time for 100,000 files on a busy machine, not by the shared hook.
afterAll(() => {
  rmSync(example.dir, { recursive: true, force: true });
}, SLOW);

const run = (...args: string[]): CLIRun => runCLI([...args, "--json"], { cwd: example.dir });

/** Proven, exit 0, one JSON object whose exitCode is the real one, no stack trace. */
function expectProven(result: CLIRun): ReturnType<CLIRun["json"]> {
  expect(result.stderr).toBe("");
  const json = result.json();
  expect(
    { exit: result.code, exitCode: json.exitCode, verdict: json.verdict },
    JSON.stringify(json.findings),
  ).toEqual({ exit: 0, exitCode: 0, verdict: "proven" });
  return json;
}

describe(`the signed report of a drill of a ${FILES}-file store`, () => {
  it("sums its passed store checks (over 10,000 artifacts), so it stays small", () => {
    expect(statSync(example.path(ENVELOPE)).size).toBeLessThan(1_000_000);
  });

  it(
    "passes report verify, which prints the whole statement",
    () => {
      const json = expectProven(run("report", "verify", ENVELOPE, "--key", KEY));
      const statement = json["statement"] as {
        predicate: { checks: { name: string; artifacts?: number }[] };
      };
      const summed = statement.predicate.checks.reduce((n, c) => n + (c.artifacts ?? 0), 0);
      expect(summed).toBeGreaterThan(FILES); // every file, and every directory
    },
    SLOW,
  );

  it(
    "passes gate, which finds it in the reports folder",
    () => {
      const json = expectProven(run("gate"));
      expect(json["report"]).toMatchObject({ file: ENVELOPE });
    },
    SLOW,
  );

  it(
    "passes audit, whose last passing drill it is",
    () => {
      const json = expectProven(run("audit"));
      expect(json["lastDrill"]).toMatchObject({ file: ENVELOPE });
    },
    SLOW,
  );

  it.each(["html", "markdown", "junit", "text"])(
    "renders as %s with its signature verified",
    (format) => {
      const out = `report.${format}`;
      const json = expectProven(
        run("report", "render", ENVELOPE, "--format", format, "--key", KEY, "--out", out),
      );
      expect(json["rendered"]).toMatchObject({ format, signature: "verified", path: out });
      expect(statSync(example.path(out)).size).toBeGreaterThan(0);
    },
    SLOW,
  );
});
