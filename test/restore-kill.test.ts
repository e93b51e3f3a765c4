// restore killed with SIGKILL at every step it journals, and the leftovers the next run finds:
// the target is always the old store or the new one, never absent; the next restore (or
// `restore --recover`) finishes what was left, says what it found, and trusts no path a lock names.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { besides, deadPid, expectContract, killedAt } from "./helpers/restore-runs.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
let live: string;
let old: Record<string, string>;
beforeEach(async () => {
  fixture = await createFixtureStore();
  live = join(fixture.dir, "live");
  execFileSync("cp", ["-a", fixture.store, live]);
  writeFileSync(join(live, "marker.txt"), "the old store");
  old = tree(live);
});

const RESTORE = ["restore", "--source", "dir:store", "--target", "live", "--force"];
const restore = (...extra: string[]) =>
  runCLI([...RESTORE, "--json", ...extra], { cwd: fixture.dir });
const recover = () =>
  runCLI(["restore", "--recover", "--target", "live", "--json"], { cwd: fixture.dir });
const recovered = (json: { findings: { code: string; message: string }[] }) =>
  json.findings.filter((f) => f.code === "restore_recovered").map((f) => f.message);

describe("restore killed at each journaled step", () => {
  it.each([
    ["after-lock", "old"],
    ["after-extract", "old"],
    ["after-verify", "old"],
    ["before-swap", "old"],
    ["after-swap", "new"],
  ])(
    "at %s leaves the %s store in place, and the next restore finishes and says so",
    async (point, which) => {
      const pid = await killedAt(RESTORE, fixture.dir, point);
      expect(existsSync(live)).toBe(true);
      expect(tree(live)).toEqual(which === "old" ? old : tree(fixture.store));
      const next = restore();
      const json = expectContract(next);
      expect(next.code, next.stdout).toBe(0);
      const lines = recovered(json);
      expect(lines[0]).toMatch(new RegExp(`^took over the lock left by process ${pid} \\(restore`));
      const scratchLeft = ["after-extract", "after-verify", "before-swap"].includes(point);
      expect(lines.some((line) => line.startsWith("removed the abandoned scratch tree "))).toBe(
        scratchLeft,
      );
      expect(lines.some((line) => line.includes("had swapped its verified store into"))).toBe(
        which === "new",
      );
      expect(json["recovered"]).toEqual(lines);
      expect(tree(live)).toEqual(tree(fixture.store));
      // Left beside the target: only safety copies, kept for the user (no lock, no scratch).
      for (const entry of besides(fixture.dir, "live"))
        expect(entry).toMatch(/^\.live\.recoverable-safety-/);
    },
  );

  it("between the two renames (a test-only pause; in a run they are back to back) the next restore moves the old store back first", async () => {
    await killedAt(RESTORE, fixture.dir, "after-safety-copy");
    // The one window a kill can leave: the old store sits in its safety copy.
    expect(existsSync(live)).toBe(false);
    const dry = restore("--dry-run");
    expect(expectContract(dry).exitCode).toBe(0);
    const steps = (dry.json()["plan"] as { steps: string[] }).steps;
    expect(steps[1]).toMatch(/^first, for an interrupted restore: move the old store back/);
    expect(existsSync(live)).toBe(false);
    const next = restore();
    expect(next.code, next.stdout).toBe(0);
    expect(recovered(next.json())).toContainEqual(
      expect.stringMatching(/^moved the old store back from the safety copy .* to .*live/),
    );
    // The old store came back first and was then kept as the new run's safety copy.
    expect(tree(next.json()["safetyCopy"] as string)).toEqual(old);
    expect(tree(live)).toEqual(tree(fixture.store));
  });

  it("restore --recover closes that window alone: the old store back, nothing else left, exit 0", async () => {
    await killedAt(RESTORE, fixture.dir, "after-safety-copy");
    const run = recover();
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    expect(json).toHaveFinding("restore_recovered");
    expect(recovered(json)).toContainEqual(expect.stringMatching(/^moved the old store back/));
    expect(tree(live)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual([]);
    // Nothing more to do the second time.
    const again = runCLI(["restore", "--recover", "--target", "live"], { cwd: fixture.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to recover");
  });
});

describe("what an interrupted restore left, judged without trusting it", () => {
  it("a forged stale lock naming directories outside the target leaves them untouched", () => {
    const outside = join(fixture.dir, "outside");
    mkdirSync(join(outside, "victim"), { recursive: true });
    writeFileSync(join(outside, "victim", "keep.txt"), "not a restore's");
    mkdirSync(join(outside, "other"));
    writeFileSync(join(outside, "other", "keep.txt"), "not a restore's either");
    const before = tree(outside);
    // The journal of the old format: paths, which a run used to act on.
    writeFileSync(
      join(fixture.dir, ".live.recoverable.lock"),
      JSON.stringify({
        pid: deadPid(),
        startedAt: "2026-01-01T00:00:00.000Z",
        phase: "swapping",
        target: join(outside, "victim"),
        scratch: join(outside, "victim"),
        safetyCopy: join(outside, "other"),
      }),
    );
    const run = restore();
    expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    expect(tree(outside)).toEqual(before);
    expect(existsSync(join(outside, "other"))).toBe(true);
    expect(tree(live)).toEqual(tree(fixture.store));
  });

  it("a forged run id names only siblings of the target, and a link there is never followed", () => {
    const outside = join(fixture.dir, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "keep.txt"), "x");
    const runId = "20260101T000000Z-abcdef";
    execFileSync("ln", ["-s", outside, join(fixture.dir, `.live.recoverable-restore-${runId}`)]);
    writeFileSync(
      join(fixture.dir, ".live.recoverable.lock"),
      JSON.stringify({ pid: deadPid(), runId, phase: "swapping", scratchDir: outside }),
    );
    const run = restore();
    expect(run.code, run.stdout).toBe(0);
    expect(readFileSync(join(outside, "keep.txt"), "utf8")).toBe("x");
  });

  it("a stale lock holding only a dead pid is taken over and reported, not an internal_error", () => {
    const pid = deadPid();
    writeFileSync(join(fixture.dir, ".live.recoverable.lock"), JSON.stringify({ pid }));
    const run = restore();
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    expect(recovered(json)).toEqual([
      `took over the lock left by process ${pid}, which is no longer running`,
    ]);
    expect(besides(fixture.dir, "live").filter((e) => !e.includes("safety"))).toEqual([]);
  });

  it("an abandoned scratch tree with no lock (a run that lost its lock) is removed and named", () => {
    const abandoned = join(fixture.dir, ".live.recoverable-restore-20260101T000000Z-abcdef");
    mkdirSync(abandoned);
    writeFileSync(join(abandoned, "big.bin"), Buffer.alloc(1024 * 1024));
    const run = restore();
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    expect(recovered(json)).toEqual([`removed the abandoned scratch tree ${abandoned}`]);
    expect(existsSync(abandoned)).toBe(false);
  });
});
