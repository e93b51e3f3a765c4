// restore of more files than it keeps per-file records of (issue 21): the dir: source copies
// its tree a batch at a time, and the digests written past the budget are read again by the
// check, so every byte is still verified and a damaged file past the budget is still caught.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seal } from "../src/verbs/seal.js";
import { runCLI } from "./helpers/cli.js";
import {
  createUnsealedStore,
  FIXTURE_EPOCH,
  FIXTURE_RELEASE,
  type FixtureStore,
} from "./helpers/fixture-store.js";
import { tree } from "./helpers/tree.js";

/** More than a batch of the dir: source (1 024 files), in three directories. */
const SMALL_FILES = 2500;
/** Only the two largest files' digests are kept: the database and one more. */
const BUDGET = { RECOVERABLE_WRITTEN_BUDGET: "2" };

let fixture: FixtureStore;
beforeAll(async () => {
  fixture = createUnsealedStore();
  for (let i = 0; i < SMALL_FILES; i++) {
    const dir = join(fixture.store, "files", `d${Math.floor(i / 1000)}`);
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${i}.txt`), `small file ${i}\n`.repeat(1 + (i % 7)));
  }
  const sealed = await seal({
    ...FIXTURE_RELEASE,
    cwd: fixture.dir,
    config: join(fixture.ops, "drill.json"),
    env: { SOURCE_DATE_EPOCH: FIXTURE_EPOCH },
  });
  expect(sealed.exitCode).toBe(0);
}, 120_000);

const restoreJSON = (...args: string[]) =>
  runCLI(["restore", "--json", ...args], { cwd: fixture.dir, env: BUDGET });

describe("restore past the written-digest budget", () => {
  it("restores every file and runs every check a restore keeping every digest runs, exit 0", () => {
    const run = restoreJSON("--source", "dir:store", "--target", "restored");
    expect(run.code).toBe(0);
    expect(tree(join(fixture.dir, "restored"))).toEqual(tree(fixture.store));
    // The small files, the database, catalog, runtime config, README, summary and cache.
    expect(run.json()["restored"]).toMatchObject({ files: SMALL_FILES + 6 });
    const all = runCLI(["restore", "--json", "--source", "dir:store", "--target", "restored-all"], {
      cwd: fixture.dir,
    });
    expect(all.code).toBe(0);
    expect(run.json()["checked"]).toEqual(all.json()["checked"]);
  });

  it("catches a file damaged in the backup whose digest was let go, and swaps nothing in", () => {
    const bad = join(fixture.dir, "bad");
    execFileSync("cp", ["-a", fixture.store, bad]);
    const damaged = join(bad, "files", "d2", "f2400.txt");
    writeFileSync(damaged, readFileSync(damaged, "utf8").replace("small", "smell"));
    const run = restoreJSON("--source", "dir:bad", "--target", "from-bad");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_hash_mismatch", "files/d2/f2400.txt");
    expect(existsSync(join(fixture.dir, "from-bad"))).toBe(false);
  });
});
