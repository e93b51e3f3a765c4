// Symlinks added to a store root after sealing: one that leads out of the root is an error
// (path_escapes_root, exit 1) wherever it is; one that stays inside, or a loop, is the stray
// it always was (unexpected_artifact, a warning). None is ever followed by verify.
import { mkdirSync, symlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";

function verify(fixture: FixtureStore, code: number): ReturnType<CLIRun["json"]> {
  const run = runCLI(["verify", "--json"], { cwd: fixture.dir });
  expect(run.code, run.stdout + run.stderr).toBe(code);
  const result = run.json();
  expect(result.exitCode).toBe(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return result;
}

const summary = (result: ReturnType<CLIRun["json"]>) =>
  result.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`);

describe("verify, when a symlink in the store root leads outside it", () => {
  it.each([
    ["a directory link up out of the root", "datasets/up", "../.."],
    ["an absolute link", "datasets/etc", "/etc"],
    ["a dangling link to an absolute path", "config/later", "/nonexistent/recoverable/x"],
    ["a link inside a disposable directory", "cache/out", "../../.."],
  ])("gives path_escapes_root (exit 1) for %s", async (_name, path, target) => {
    const fixture = await createFixtureStore();
    symlinkSync(target, fixture.path(path));
    expect(summary(verify(fixture, 1))).toEqual([`error path_escapes_root ${path}`]);
  });

  it("gives path_escapes_root for each link of a chain whose texts each look inside", async () => {
    const fixture = await createFixtureStore();
    symlinkSync("../..", fixture.path("datasets/up"));
    symlinkSync("datasets/up", fixture.path("via")); // lexically inside; resolves outside
    expect(summary(verify(fixture, 1))).toEqual([
      "error path_escapes_root datasets/up",
      "error path_escapes_root via",
    ]);
  });

  it("gives path_escapes_root for a link inside an unlisted directory", async () => {
    const fixture = await createFixtureStore();
    mkdirSync(fixture.path("extra"));
    symlinkSync("/", fixture.path("extra/root"));
    expect(summary(verify(fixture, 1))).toEqual([
      "warning unexpected_artifact extra",
      "error path_escapes_root extra/root",
    ]);
  });
});

describe("verify, when a symlink stays inside the store root", () => {
  it("keeps a link to a file or directory inside a warning (exit 0)", async () => {
    const fixture = await createFixtureStore();
    symlinkSync("../README.txt", fixture.path("datasets/readme"));
    symlinkSync("..", fixture.path("config/root"));
    expect(summary(verify(fixture, 0))).toEqual([
      "warning unexpected_artifact config/root",
      "warning unexpected_artifact datasets/readme",
    ]);
  });

  it("keeps a link loop inside the root a warning (exit 0)", async () => {
    const fixture = await createFixtureStore();
    symlinkSync("loop-b", fixture.path("loop-a"));
    symlinkSync("loop-a", fixture.path("loop-b"));
    expect(summary(verify(fixture, 0))).toEqual([
      "warning unexpected_artifact loop-a",
      "warning unexpected_artifact loop-b",
    ]);
  });
});
