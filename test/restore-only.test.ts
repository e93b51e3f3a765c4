// restore --only <glob> (issue 19): one database of one instance, as Metis restores it. Only the
// selected artifacts are taken from the backup, verified as a whole restore verifies, and swapped
// in with the rest of the target carried over untouched; the old versions go into the safety
// copy. A glob that matches nothing is a usage finding naming it. A kill at the journal's pauses
// leaves the target whole, old or new.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { besides, expectContract, killedAt } from "./helpers/restore-runs.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
let live: string;
let old: Record<string, string>;
const DB = "datasets/places.sqlite";

beforeEach(async () => {
  fixture = await createFixtureStore();
  live = join(fixture.dir, "live");
  execFileSync("cp", ["-a", fixture.store, live]);
  writeFileSync(join(live, DB), "the old database");
  writeFileSync(join(live, `${DB}-journal`), "");
  writeFileSync(join(live, "README.txt"), "the old store");
  mkdirSync(join(live, "sources"));
  writeFileSync(join(live, "sources", "a.md"), "not the release's");
  old = tree(live);
});

const ONLY = ["restore", "--source", "dir:store", "--target", "live", "--only", DB, "--force"];
const cli = (...args: string[]) => runCLI([...args, "--json"], { cwd: fixture.dir });
/** The old store with only the database restored (its old sidecar gone with it). */
const expected = () => {
  const rest = Object.entries(old).filter(([path]) => path !== `/${DB}-journal`);
  return { ...Object.fromEntries(rest), [`/${DB}`]: tree(fixture.store)[`/${DB}`] };
};

describe("restore --only", () => {
  it("restores the selected database alone (exit 0); the rest of the target stays, the old database is the safety copy", () => {
    const run = cli(...ONLY);
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    // Nothing the release lists is a stray of the selection (a directory above it, say).
    expect(json.findings).toEqual([]);
    expect(tree(live)).toEqual(expected());
    expect(readFileSync(join(live, "README.txt"), "utf8")).toBe("the old store");
    const plan = json["plan"] as { only: string[]; carriedOver: string[]; steps: string[] };
    expect(plan.only).toEqual([DB]);
    expect(plan.carriedOver).toContain("sources");
    expect(plan.carriedOver).toContain("README.txt");
    expect(plan.steps).toContainEqual(`keep only what --only selects (1): ${DB}`);
    const safety = tree(json["safetyCopy"] as string);
    expect(safety[`/${DB}`]).toBe(old[`/${DB}`]);
    expect(safety[`/${DB}-journal`]).toBe("");
    expect(Object.keys(safety).filter((path) => !path.startsWith("/datasets"))).toEqual([]);
  });

  it("a glob matching nothing the release lists: usage_invalid naming it (exit 2), nothing changed", () => {
    const run = cli(...ONLY, "--only", "datasets/nothing-*.sqlite");
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json.findings).toEqual([
      expect.objectContaining({
        code: "usage_invalid",
        subject: "--only",
        actual: "datasets/nothing-*.sqlite",
      }),
    ]);
    expect(tree(live)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });

  it("--dry-run shows what it restores and carries over, and changes nothing", () => {
    const run = cli(...ONLY, "--dry-run");
    const json = expectContract(run);
    expect(run.code).toBe(0);
    expect((json["plan"] as { only: string[] }).only).toEqual([DB]);
    expect(tree(live)).toEqual(old);
  });

  it("restore --undo afterwards puts the old database back and keeps the rest (exit 0)", () => {
    expect(cli(...ONLY).code).toBe(0);
    const undo = cli("restore", "--undo", "--target", "live");
    const json = expectContract(undo);
    expect(undo.code, undo.stdout).toBe(0);
    expect(tree(live)).toEqual(old);
    expect(tree(json["safetyCopy"] as string)[`/${DB}`]).toBe(tree(fixture.store)[`/${DB}`]);
    expect((json["plan"] as { carriedOver: string[] }).carriedOver).toContain("sources");
  });

  it.each([
    ["before-swap", "old"],
    ["mid-swap", "new"],
  ])("killed at %s: restore --recover leaves the %s target whole, exit 0", async (point, which) => {
    await killedAt(ONLY, fixture.dir, point);
    const recover = cli("restore", "--recover", "--target", "live");
    expect(expectContract(recover).exitCode, recover.stdout).toBe(0);
    expect(tree(live)).toEqual(which === "old" ? old : expected());
  });
});
