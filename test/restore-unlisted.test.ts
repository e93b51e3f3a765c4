// What the release does not list is never silently taken away (issue 19): a restore with
// --force carries the target's unlisted paths (AtoCore's sources/, logs/, backups/) over into
// the restored root before the swap and lists them in its plan; --set-aside-unlisted moves them
// into the safety copy instead. A restore killed after carrying them gives them back.
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

/** The unlisted paths the target holds, at the level a restore carries them. */
const UNLISTED = ["datasets/notes.txt", "logs", "sources"];

beforeEach(async () => {
  fixture = await createFixtureStore();
  live = join(fixture.dir, "live");
  execFileSync("cp", ["-a", fixture.store, live]);
  writeFileSync(join(live, "README.txt"), "the old store");
  mkdirSync(join(live, "sources", "inbox"), { recursive: true });
  writeFileSync(join(live, "sources", "inbox", "a.md"), "a source the release does not list");
  mkdirSync(join(live, "logs"));
  writeFileSync(join(live, "logs", "serve.log"), "a log line\n");
  writeFileSync(join(live, "datasets", "notes.txt"), "beside a listed database");
  // A sidecar of a listed database is the database's: it goes with the old store.
  writeFileSync(join(live, "datasets", "places.sqlite-journal"), "");
  old = tree(live);
});

const RESTORE = ["restore", "--source", "dir:store", "--target", "live", "--force"];
const restore = (...extra: string[]) =>
  runCLI([...RESTORE, "--json", ...extra], { cwd: fixture.dir });

/** The entries of a tree() (keys `/<path>`) at or under `paths`. */
const only = (all: Record<string, string>, paths: readonly string[]) =>
  Object.fromEntries(
    Object.entries(all).filter(([path]) =>
      paths.some((p) => path === `/${p}` || path.startsWith(`/${p}/`)),
    ),
  );
const without = (all: Record<string, string>, paths: readonly string[]) =>
  Object.fromEntries(Object.entries(all).filter(([path]) => !(path in only(all, paths))));

const safetyCopies = () =>
  besides(fixture.dir, "live").filter((entry) => entry.startsWith(".live.recoverable-safety-"));

describe("a restore over a store with paths the release does not list", () => {
  it("carries them over into the restored root and lists them in the plan (exit 0)", () => {
    const run = restore();
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    const plan = json["plan"] as { carriedOver: string[]; setAside: string[]; steps: string[] };
    expect(plan.carriedOver).toEqual(UNLISTED);
    expect(plan.setAside).toEqual([]);
    expect(plan.steps).toContainEqual(
      expect.stringMatching(/^carry over what the release does not list .*: datasets\/notes/),
    );
    expect(tree(live)).toEqual({ ...tree(fixture.store), ...only(old, UNLISTED) });
    const safety = json["safetyCopy"] as string;
    expect(tree(safety)).toEqual(without(old, UNLISTED));
    expect(readFileSync(join(safety, "README.txt"), "utf8")).toBe("the old store");
  });

  it("says so in text", () => {
    const run = runCLI(RESTORE, { cwd: fixture.dir });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toContain(
      "carried over (the release does not list them): datasets/notes.txt, logs, sources",
    );
  });

  it("--set-aside-unlisted moves them into the safety copy with the old store instead", () => {
    const run = restore("--set-aside-unlisted");
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    const plan = json["plan"] as { carriedOver: string[]; setAside: string[] };
    expect(plan).toMatchObject({ carriedOver: [], setAside: UNLISTED });
    expect(tree(live)).toEqual(tree(fixture.store));
    expect(tree(json["safetyCopy"] as string)).toEqual(old);
  });

  it("a dry run without --force shows them beside target_not_empty (exit 2), changing nothing", () => {
    const run = runCLI(
      ["restore", "--source", "dir:store", "--target", "live", "--dry-run", "--json"],
      { cwd: fixture.dir },
    );
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json).toHaveFinding("target_not_empty");
    expect((json["plan"] as { carriedOver: string[] }).carriedOver).toEqual(UNLISTED);
    expect(tree(live)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });
});

describe("a restore killed after carrying them over", () => {
  it.each([
    ["before-swap", {}],
    ["after-safety-copy", { RECOVERABLE_TEST_NO_EXCHANGE: "1" }],
  ])("at %s: restore --recover puts them back with the old store, exit 0", async (point, env) => {
    await killedAt(RESTORE, fixture.dir, point, env);
    const recover = runCLI(["restore", "--recover", "--target", "live", "--json"], {
      cwd: fixture.dir,
    });
    const json = expectContract(recover);
    expect(recover.code, recover.stdout).toBe(0);
    expect(json["recovered"]).toContainEqual(
      expect.stringMatching(/^moved what the release does not list back from .*: datasets/),
    );
    expect(tree(live)).toEqual(old);
    expect(safetyCopies()).toEqual([]);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });

  it("at mid-swap (the exchange done): they are in the new store, and the next restore keeps them", async () => {
    await killedAt(RESTORE, fixture.dir, "mid-swap");
    expect(tree(live)).toEqual({ ...tree(fixture.store), ...only(old, UNLISTED) });
    const next = restore();
    expect(expectContract(next).exitCode).toBe(0);
    expect(tree(live)).toEqual({ ...tree(fixture.store), ...only(old, UNLISTED) });
  });
});
