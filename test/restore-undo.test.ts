// restore --undo (issue 19): the newest safety copy goes back into the target atomically, and
// what it replaces becomes the safety copy in turn, so an undo can be undone. No safety copy is
// a finding that says so; a run killed in its swap is finished by `restore --recover`, and no
// store is ever lost.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { besides, expectContract, killedAt } from "./helpers/restore-runs.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
let live: string;
let old: Record<string, string>;
beforeEach(async () => {
  fixture = await createFixtureStore();
  live = join(fixture.dir, "live");
  execFileSync("cp", ["-a", fixture.store, live]);
  writeFileSync(join(live, "README.txt"), "the old store");
  old = tree(live);
});

const cli = (...args: string[]) => runCLI([...args, "--json"], { cwd: fixture.dir });
const UNDO = ["restore", "--undo", "--target", "live"];
const restored = () => {
  const run = cli("restore", "--source", "dir:store", "--target", "live", "--force");
  expect(run.code, run.stdout).toBe(0);
  return run.json()["safetyCopy"] as string;
};
const safetyCopies = () =>
  besides(fixture.dir, "live").filter((entry) => entry.startsWith(".live.recoverable-safety-"));
/** The trees of every safety copy, sorted by content, to show none was lost. */
const safetyTrees = () =>
  safetyCopies()
    .map((entry) => JSON.stringify(tree(join(fixture.dir, entry))))
    .sort();

describe("restore --undo", () => {
  it("with no safety copy: no_safety_copy (exit 2), nothing changed", () => {
    const run = cli(...UNDO);
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json).toHaveFinding("no_safety_copy");
    expect(json.findings[0]?.message).toMatch(/no safety copy to put back; nothing was changed/);
    expect(tree(live)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });

  it("puts the safety copy back (exit 0); the restored store becomes the safety copy, and a second undo brings it back", () => {
    const first = restored();
    expect(tree(live)).toEqual(tree(fixture.store));
    const undo = cli(...UNDO);
    const json = expectContract(undo);
    expect(undo.code, undo.stdout).toBe(0);
    expect(tree(live)).toEqual(old);
    const kept = json["safetyCopy"] as string;
    expect(kept).not.toBe(first);
    expect(tree(kept)).toEqual(tree(fixture.store));
    expect(safetyCopies()).toHaveLength(1);
    expect((json["plan"] as { source: string }).source).toBe(first);
    const again = cli(...UNDO);
    expect(expectContract(again).exitCode).toBe(0);
    expect(tree(live)).toEqual(tree(fixture.store));
    expect(tree(again.json()["safetyCopy"] as string)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
  });

  it("says what it did in text", () => {
    const first = restored();
    const run = runCLI(UNDO, { cwd: fixture.dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`put the safety copy ${first} back into ${live}`);
  });

  it("--dry-run shows the plan and changes nothing", () => {
    const first = restored();
    const before = besides(fixture.dir, "live");
    const run = cli(...UNDO, "--dry-run");
    const json = expectContract(run);
    expect(run.code).toBe(0);
    const steps = (json["plan"] as { steps: string[] }).steps;
    expect(steps[1]).toMatch(
      new RegExp(`^undo: put the newest safety copy ${first} back into ${live}`),
    );
    expect(tree(live)).toEqual(tree(fixture.store));
    expect(besides(fixture.dir, "live")).toEqual(before);
  });

  it.each([["--source", "dir:store"], ["--force"], ["--only", "README.txt"]])(
    "with %s: usage_invalid (exit 2)",
    (...flags) => {
      const run = cli(...UNDO, ...flags);
      expect(run.code).toBe(2);
      expect(expectContract(run)).toHaveFinding("usage_invalid");
    },
  );
});

describe("restore --undo killed in its swap", () => {
  it.each([
    ["before-swap", "restored", {}],
    ["mid-swap", "old", {}],
    // Between the two renames the target is gone: the undo is rolled back.
    ["after-safety-copy", "restored", { RECOVERABLE_TEST_NO_EXCHANGE: "1" }],
  ])(
    "at %s: restore --recover leaves the %s store in place and both stores kept, exit 0",
    async (point, which, env) => {
      restored();
      await killedAt(UNDO, fixture.dir, point, env);
      const recover = cli("restore", "--recover", "--target", "live");
      expect(expectContract(recover).exitCode, recover.stdout).toBe(0);
      expect(tree(live)).toEqual(which === "old" ? old : tree(fixture.store));
      // The other store is a safety copy: nothing was lost, nothing else is left.
      const other = which === "old" ? tree(fixture.store) : old;
      expect(safetyTrees()).toEqual([JSON.stringify(other)]);
      expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
    },
  );
});
