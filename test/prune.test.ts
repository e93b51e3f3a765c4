// snapshots prune on a real repository of 400 snapshots made with a fixed clock, at the times
// the real restic binary was given (test/fixtures/retention/): it keeps exactly what
// `restic forget` kept for the same flags, and frees exactly the blobs nobody needs.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { snapshot } from "../src/verbs/snapshot.js";
import { runCLI } from "./helpers/cli.js";
import { makeTempDir } from "./helpers/temp-dir.js";

type Golden = {
  scenarios: {
    name: string;
    snapshots: string[];
    cases: { flags: string; keep: { snapshot: number; reasons: string[] }[]; remove: number[] }[];
  }[];
};

const golden = JSON.parse(
  readFileSync(new URL("fixtures/retention/golden.json", import.meta.url), "utf8"),
) as Golden;
const main = golden.scenarios.find((s) => s.name === "main");
if (!main) throw new Error("the golden has no main scenario");
const times = main.snapshots;

let dir: string;
/** snapshot id -> index of its time in the golden */
const indexOf = new Map<string, number>();

beforeAll(async () => {
  dir = makeTempDir("recoverable-prune-");
  const store = join(dir, "store");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(store);
  writeFileSync(join(store, "same.txt"), "in every snapshot\n");
  for (const [index, time] of times.entries()) {
    // One file changes every time, so each snapshot owns one blob of its own.
    writeFileSync(join(store, "changing.txt"), `snapshot ${index}\n`);
    const result = await snapshot({
      root: store,
      repo: join(dir, "repo"),
      cwd: dir,
      now: () => new Date(time),
    });
    if (result.exitCode !== 0 || result.snapshotId === null)
      throw new Error(JSON.stringify(result.findings));
    indexOf.set(result.snapshotId, index);
  }
}, 180_000);

type Decision = { id: string; reasons: string[] };

describe("snapshots prune keeps what restic keeps", () => {
  it.each(main.cases.map((c) => [c.flags, c] as const))("%s", (flags, expected) => {
    const run = runCLI(
      ["snapshots", "prune", "--repo", "repo", "--dry-run", "--json", ...flags.split(" ")],
      { cwd: dir },
    );
    expect(run.code, run.stdout).toBe(0);
    const result = run.json();
    // Compared by time: two snapshots of the same second are interchangeable (restic orders
    // such ties by its random ids, recoverable by its own).
    const timeOf = (id: string) => times[indexOf.get(id) ?? -1];
    const kept = (result["kept"] as Decision[]).map((d) => ({
      time: timeOf(d.id),
      reasons: d.reasons,
    }));
    const removed = (result["removed"] as Decision[]).map((d) => timeOf(d.id));
    expect(kept).toEqual(
      expected.keep.map((k) => ({ time: times[k.snapshot], reasons: k.reasons })),
    );
    expect(removed).toEqual(expected.remove.map((index) => times[index]));
    // A dry run changes nothing.
    expect(readdirSync(join(dir, "repo", "snapshots"))).toHaveLength(400);
  });

  it("removes what it said, frees exactly the blobs of removed snapshots, never the shared one", () => {
    const blobs = () =>
      readdirSync(join(dir, "repo", "blobs"), { recursive: true, withFileTypes: true }).filter(
        (e) => e.isFile(),
      ).length;
    expect(blobs()).toBe(401); // 400 changing.txt + 1 same.txt
    const run = runCLI(
      [
        "snapshots",
        "prune",
        "--repo",
        "repo",
        "--json",
        "--keep-daily",
        "7",
        "--keep-weekly",
        "4",
        "--keep-monthly",
        "6",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const kept = run.json()["kept"] as Decision[];
    const removed = run.json()["removed"] as Decision[];
    expect(kept.length + removed.length).toBe(400);
    expect(run.json()["freedBlobs"]).toBe(removed.length);
    expect(readdirSync(join(dir, "repo", "snapshots"))).toHaveLength(kept.length);
    expect(blobs()).toBe(kept.length + 1);
    // Every kept snapshot still restores and validates.
    const validated = runCLI(["snapshots", "validate", "latest", "--repo", "repo"], { cwd: dir });
    expect(validated.code).toBe(0);
    const list = runCLI(["snapshots", "list", "--repo", "repo", "--json"], { cwd: dir });
    expect((list.json()["snapshots"] as unknown[]).length).toBe(kept.length);
  });

  it("refuses rules it cannot read, exit 2, and takes the rollback policy's when none are given", () => {
    const bad = runCLI(
      ["snapshots", "prune", "--repo", "repo", "--keep-within", "soon", "--json"],
      {
        cwd: dir,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.json()).toHaveFinding("usage_invalid");
    const none = runCLI(["snapshots", "prune", "--repo", "repo", "--dry-run", "--json"], {
      cwd: dir,
    });
    expect(none.code).toBe(2);
    expect(none.json().findings[0]?.message).toContain("no retention rules");
    const policy = new URL("../ops/datasets/rollback-policy.json", import.meta.url).pathname;
    const withPolicy = runCLI(
      [
        "snapshots",
        "prune",
        "--repo",
        "repo",
        "--dry-run",
        "--json",
        "--ops",
        join(policy, "../.."),
      ],
      { cwd: dir },
    );
    expect(withPolicy.code).toBe(0);
    expect(withPolicy.json()["rules"]).toEqual({
      keepLast: 3,
      keepDaily: 7,
      keepWeekly: 4,
      keepMonthly: 6,
    });
  });
});
