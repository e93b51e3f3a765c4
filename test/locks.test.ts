// Locks that lock: one restore per target, one writer per snapshot repository. A held lock is
// target_locked / repository_locked (exit 3) naming its holder, the loser leaves nothing behind,
// and a lock that is still being written is never mistaken for an abandoned one.
import { spawn } from "node:child_process";
import { cpSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { besides, expectContract, kill, pausedAt } from "./helpers/restore-runs.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
beforeEach(async () => {
  fixture = await createFixtureStore();
});

const cli = (args: string[]) => runCLI([...args, "--json"], { cwd: fixture.dir });
const RESTORE = ["restore", "--source", "dir:store", "--target", "live"];

/** The CLI as a child process that runs alongside others. */
function runAsync(args: string[]): Promise<CLIRun> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args, "--json"], {
      cwd: fixture.dir,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("close", (code) => {
      resolveRun({ code, stdout, stderr, json: () => JSON.parse(stdout) as never });
    });
  });
}

describe("two restores into one target", () => {
  it("while one holds the lock, the other exits 3 target_locked naming it, and leaves nothing", async () => {
    const holder = await pausedAt(RESTORE, fixture.dir, "after-extract");
    const before = readdirSync(fixture.dir).sort();
    const loser = cli(RESTORE);
    await kill(holder);
    const json = expectContract(loser);
    expect(loser.code).toBe(3);
    expect(json).toHaveFinding("target_locked", join(fixture.dir, "live"));
    expect(json.findings[0]?.message).toContain(`process ${holder.pid} (restore, on host `);
    expect(readdirSync(fixture.dir).sort()).toEqual(before);
  });

  it("started together, one restores and the other is refused, three times over", async () => {
    for (let round = 0; round < 3; round++) {
      const target = `live${round}`;
      const args = ["restore", "--source", "dir:store", "--target", target];
      const runs = await Promise.all([runAsync(args), runAsync(args)]);
      const [winner, loser] = [...runs].sort((a, b) => (a.code ?? 9) - (b.code ?? 9));
      expect(expectContract(winner as CLIRun).exitCode).toBe(0);
      // The loser met the lock (3), or, if it came after the swap, the restored target (2).
      const lost = expectContract(loser as CLIRun);
      expect(lost.findings.map((f) => `${lost.exitCode} ${f.code}`)).toEqual([
        lost.exitCode === 3 ? "3 target_locked" : "2 target_not_empty",
      ]);
      expect(tree(join(fixture.dir, target))).toEqual(tree(fixture.store));
      expect(besides(fixture.dir, target)).toEqual([]);
    }
  });

  it("into an existing store with --force, one restores and the other is refused, three times over", async () => {
    // The winner looks through the target's parent for what dead runs left while the loser's
    // lock write comes and goes there: a file that vanishes meanwhile is no error.
    for (let round = 0; round < 3; round++) {
      const target = `old${round}`;
      cpSync(fixture.store, join(fixture.dir, target), { recursive: true });
      const args = ["restore", "--source", "dir:store", "--target", target, "--force"];
      const runs = await Promise.all([runAsync(args), runAsync(args)]);
      const codes = runs.map((run) => {
        const json = expectContract(run);
        return `${json.exitCode} ${json.findings.map((f) => f.code).join(",")}`;
      });
      expect(codes.sort()).toEqual(["0 ", "3 target_locked"]);
      expect(tree(join(fixture.dir, target))).toEqual(tree(fixture.store));
    }
  });

  it("a lock that is still being written (empty, just made) is held, not taken over", () => {
    const lock = join(fixture.dir, ".live.recoverable.lock");
    writeFileSync(lock, "");
    const run = cli(RESTORE);
    const json = expectContract(run);
    expect(run.code).toBe(3);
    expect(json).toHaveFinding("target_locked");
    expect(readdirSync(fixture.dir)).not.toContain("live");
    // Left that way for long, it is damaged, not being written: the next run takes it over.
    const past = new Date(Date.now() - 60_000);
    utimesSync(lock, past, past);
    const later = cli(RESTORE);
    expect(later.code, later.stdout).toBe(0);
    expect(later.json()).toHaveFinding("restore_recovered");
    expect(besides(fixture.dir, "live")).toEqual([]);
  });
});

describe("one writer per snapshot repository", () => {
  it("snapshots prune and a second snapshot during a snapshot are refused: repository_locked, exit 3, naming it", async () => {
    expect(cli(["snapshot", "--root", "store", "--repo", "repo"]).code).toBe(0);
    const snapshot = await pausedAt(
      ["snapshot", "--root", "store", "--repo", "repo"],
      fixture.dir,
      "snapshot-after-copy",
    );
    const prune = cli(["snapshots", "prune", "--repo", "repo", "--keep-last", "1"]);
    const second = cli(["snapshot", "--root", "store", "--repo", "repo"]);
    await kill(snapshot);
    for (const run of [prune, second]) {
      const json = expectContract(run);
      expect(run.code).toBe(3);
      expect(json).toHaveFinding("repository_locked", "repo");
      expect(json.findings[0]?.message).toContain(`process ${snapshot.pid} (snapshot, on host `);
    }
    // The snapshot's process is gone: its lock is taken over.
    const after = cli(["snapshots", "prune", "--repo", "repo", "--keep-last", "1"]);
    expect(after.code, after.stdout).toBe(0);
  });

  it("a repository lock that is still being written is held, not removed", () => {
    expect(cli(["snapshot", "--root", "store", "--repo", "repo"]).code).toBe(0);
    writeFileSync(join(fixture.dir, "repo", "lock"), "");
    const prune = cli(["snapshots", "prune", "--repo", "repo", "--keep-last", "1"]);
    expect(expectContract(prune).exitCode).toBe(3);
    expect(prune.json()).toHaveFinding("repository_locked");
    expect(readdirSync(join(fixture.dir, "repo"))).toContain("lock");
  });
});
