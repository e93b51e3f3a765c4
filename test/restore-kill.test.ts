// restore killed with SIGKILL at every step it journals, and the leftovers the next run finds:
// the target is always the old store or the new one, never absent; the next restore (or
// `restore --recover`) finishes what was left, says what it found, and trusts no path a lock names.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { startCLI } from "./helpers/background-cli.js";
import { runCLI, type CLIRun, type JSONResult } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { besides, deadPid, expectContract, killedAt } from "./helpers/restore-runs.js";
import { tree } from "./helpers/tree.js";
import { loadRenameExchange } from "../src/util/rename-exchange.js";

let fixture: FixtureStore;
let live: string;
let old: Record<string, string>;
beforeEach(async () => {
  fixture = await createFixtureStore();
  live = join(fixture.dir, "live");
  execFileSync("cp", ["-a", fixture.store, live]);
  // A listed file changed, so the old store differs from the new one by what the release lists
  // (an unlisted file would be carried over; test/restore-unlisted.test.ts kills that too).
  writeFileSync(join(live, "README.txt"), "the old store");
  old = tree(live);
});

const RESTORE = ["restore", "--source", "dir:store", "--target", "live", "--force"];
const restore = (...extra: string[]) =>
  runCLI([...RESTORE, "--json", ...extra], { cwd: fixture.dir });
const recover = () =>
  runCLI(["restore", "--recover", "--target", "live", "--json"], { cwd: fixture.dir });
const recovered = (json: { findings: { code: string; message: string }[] }) =>
  json.findings.filter((f) => f.code === "restore_recovered").map((f) => f.message);

const safetyCopies = () =>
  besides(fixture.dir, "live").filter((entry) => entry.startsWith(".live.recoverable-safety-"));

describe("restore killed at each journaled step, the swap an exchange", () => {
  it("runs where the rename-exchange addon is built (Linux, with the compiler better-sqlite3 needs too)", () => {
    expect(process.platform).toBe("linux");
    expect(loadRenameExchange()).not.toBeNull();
  });

  it.each([
    ["after-lock", "old"],
    ["after-extract", "old"],
    ["after-verify", "old"],
    ["before-swap", "old"],
    ["mid-swap", "new"],
    ["after-safety-copy", "new"],
    ["after-swap", "new"],
  ])(
    "at %s leaves the %s store in place, and the next restore finishes and says so",
    async (point, which) => {
      const pid = await killedAt(RESTORE, fixture.dir, point);
      // Never absent: the old store or the new one, byte for byte.
      expect(existsSync(live)).toBe(true);
      expect(tree(live)).toEqual(which === "old" ? old : tree(fixture.store));
      const next = restore();
      const json = expectContract(next);
      expect(next.code, next.stdout).toBe(0);
      const lines = recovered(json);
      expect(lines[0]).toMatch(new RegExp(`^took over the lock left by process ${pid} \\(restore`));
      const said = (pattern: RegExp) => lines.some((line) => pattern.test(line));
      const scratchLeft = ["after-extract", "after-verify", "before-swap"].includes(point);
      expect(said(/^removed the abandoned scratch tree /)).toBe(scratchLeft);
      expect(said(/^the interrupted restore was killed before its swap took effect/)).toBe(
        point === "before-swap",
      );
      expect(said(/^moved the old store from .* to the safety copy .* after exchanging/)).toBe(
        point === "mid-swap",
      );
      expect(said(/had swapped its verified store into .*; the old store is kept at /)).toBe(
        point === "after-safety-copy" || point === "after-swap",
      );
      expect(json["recovered"]).toEqual(lines);
      expect(tree(live)).toEqual(tree(fixture.store));
      // Left beside the target: only safety copies, kept for the user (no lock, no scratch);
      // the killed run's holds the old store once its swap had taken effect.
      expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
      const own = basename(json["safetyCopy"] as string);
      const theirs = safetyCopies().filter((entry) => entry !== own);
      expect(theirs.map((entry) => tree(join(fixture.dir, entry)))).toEqual(
        which === "new" ? [old] : [],
      );
    },
  );

  it.each([
    ["before-swap", "old"],
    ["mid-swap", "new"],
    ["after-safety-copy", "new"],
    ["after-swap", "new"],
  ])(
    "killed at %s, restore --recover alone leaves the %s store, its safety copy and nothing else, exit 0",
    async (point, which) => {
      await killedAt(RESTORE, fixture.dir, point);
      const run = recover();
      const json = expectContract(run);
      expect(run.code, run.stdout).toBe(0);
      expect(json).toHaveFinding("restore_recovered");
      expect(tree(live)).toEqual(which === "old" ? old : tree(fixture.store));
      expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
      expect(safetyCopies().map((entry) => tree(join(fixture.dir, entry)))).toEqual(
        which === "old" ? [] : [old],
      );
      const again = runCLI(["restore", "--recover", "--target", "live"], { cwd: fixture.dir });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("nothing to recover");
    },
  );

  it("a dry run after a kill mid-swap plans the old store's move to the safety copy first, and changes nothing", async () => {
    await killedAt(RESTORE, fixture.dir, "mid-swap");
    const before = besides(fixture.dir, "live");
    const dry = restore("--dry-run");
    expect(expectContract(dry).exitCode).toBe(0);
    const steps = (dry.json()["plan"] as { steps: string[] }).steps;
    expect(steps[1]).toMatch(/^first, for an interrupted restore: move the old store from /);
    expect(steps).toContainEqual(expect.stringMatching(/^swap: exchange .* in one step/));
    expect(besides(fixture.dir, "live")).toEqual(before);
  });
});

describe("restore killed in the two-rename swap (no exchange: RECOVERABLE_TEST_NO_EXCHANGE=1)", () => {
  const NO_EXCHANGE = { RECOVERABLE_TEST_NO_EXCHANGE: "1" };

  it.each([
    ["before-swap", "old"],
    ["after-swap", "new"],
  ])("at %s leaves the %s store in place", async (point, which) => {
    await killedAt(RESTORE, fixture.dir, point, NO_EXCHANGE);
    expect(tree(live)).toEqual(which === "old" ? old : tree(fixture.store));
    const next = restore();
    expect(expectContract(next).exitCode).toBe(0);
    expect(tree(live)).toEqual(tree(fixture.store));
    expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
  });

  it("between the two renames (a test-only pause; in a run they are back to back) the next restore moves the old store back first", async () => {
    await killedAt(RESTORE, fixture.dir, "after-safety-copy", NO_EXCHANGE);
    // The one window a kill can leave without the exchange: the old store sits in its safety copy.
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
    await killedAt(RESTORE, fixture.dir, "after-safety-copy", NO_EXCHANGE);
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

  it("plans the two renames when the exchange is not there", () => {
    const dry = runCLI([...RESTORE, "--json", "--dry-run"], { cwd: fixture.dir, env: NO_EXCHANGE });
    const steps = (dry.json()["plan"] as { steps: string[] }).steps;
    expect(steps).toContainEqual(expect.stringMatching(/^swap: move the current .* then rename /));
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

describe("restore interrupted by SIGINT or SIGTERM (the run scope's signal)", () => {
  async function signalledAt(point: string, signal: NodeJS.Signals, ...extra: string[]) {
    const run = startCLI([...RESTORE, "--json", ...extra], {
      cwd: fixture.dir,
      env: { RECOVERABLE_TEST_PAUSE_AT: point },
    });
    await run.waitForStderr(`paused at ${point}`);
    run.kill(signal);
    const { code } = await run.exited;
    const result: CLIRun = {
      code,
      stdout: run.stdout(),
      stderr: run.stderr(),
      json: () => JSON.parse(run.stdout()) as JSONResult,
    };
    return { result, json: expectContract(result) };
  }

  it.each([
    ["during-extract", "SIGTERM", 143, "while it extracted the backup"],
    ["after-extract", "SIGINT", 130, "while it extracted the backup"],
    ["after-verify", "SIGTERM", 143, "while it verified the restored tree"],
  ] as const)(
    "at %s, %s: gives up, removes its scratch tree and lock, leaves the target as it was, exit %i with `interrupted`",
    async (point, signal, exitCode, when) => {
      const { result, json } = await signalledAt(point, signal);
      expect(result.code).toBe(exitCode);
      expect(json.findings.map((f) => `${f.code} ${f.subject}`)).toEqual([`interrupted ${signal}`]);
      expect(json.findings[0]?.message).toContain(`interrupted by ${signal} ${when}`);
      expect(tree(live)).toEqual(old);
      expect(besides(fixture.dir, "live")).toEqual([]);
      // Nothing was left for the next run to recover.
      expect(recovered(restore().json())).toEqual([]);
    },
  );

  it("before it takes the lock, SIGTERM: exit 143, nothing changed, nothing left", async () => {
    const { result, json } = await signalledAt("before-lock", "SIGTERM");
    expect(result.code).toBe(143);
    expect(json.findings[0]?.message).toBe(
      "the restore was interrupted by SIGTERM before it took the lock: nothing was changed",
    );
    expect(tree(live)).toEqual(old);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });

  it("with --scratch elsewhere, a SIGTERM while extracting removes the scratch tree there too", async () => {
    mkdirSync(join(fixture.dir, "scratch"));
    const { result } = await signalledAt("during-extract", "SIGTERM", "--scratch", "scratch");
    expect(result.code).toBe(143);
    expect(readdirSync(join(fixture.dir, "scratch"))).toEqual([]);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });

  it.each(["before-swap", "mid-swap"])(
    "once the swap is journaled (%s), a SIGTERM changes nothing: the swap runs to its end, exit 0",
    async (point) => {
      const { result, json } = await signalledAt(point, "SIGTERM");
      expect(result.code, result.stdout).toBe(0);
      expect(json.verdict).toBe("proven");
      expect(tree(live)).toEqual(tree(fixture.store));
      expect(tree(json["safetyCopy"] as string)).toEqual(old);
      expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
    },
  );
});

describe("restore with --scratch elsewhere, killed in its exchange", () => {
  it("had moved the scratch tree beside the target first, so a plain `restore --recover` finds the old store there", async () => {
    mkdirSync(join(fixture.dir, "scratch"));
    await killedAt([...RESTORE, "--scratch", "scratch"], fixture.dir, "mid-swap");
    expect(tree(live)).toEqual(tree(fixture.store));
    expect(readdirSync(join(fixture.dir, "scratch"))).toEqual([]);
    const run = recover();
    expect(expectContract(run).exitCode).toBe(0);
    expect(recovered(run.json())).toContainEqual(
      expect.stringMatching(
        /^moved the old store from .*\/\.live\.recoverable-restore-.* to the safety copy/,
      ),
    );
    expect(safetyCopies().map((entry) => tree(join(fixture.dir, entry)))).toEqual([old]);
    expect(besides(fixture.dir, "live")).toEqual(safetyCopies());
  });
});
