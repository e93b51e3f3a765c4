// Where a restore must never go and what it must check before it goes anywhere: targets that
// would take the working directory, the home directory, the backup or the evidence with them;
// --scratch on another file system; a dry run of a backup that is not there; a dir: source given
// as a symlink; a file system that fills up. Each case keeps the contract: one JSON object whose
// exitCode is the real one, no stack trace, nothing written outside the target.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import {
  besides,
  deadPid,
  expectContract,
  mountTmpfs,
  type Tmpfs,
} from "./helpers/restore-runs.js";
import { backup, initRepository, RESTIC_PASSWORD } from "./helpers/restic.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
let home: string;
beforeEach(async () => {
  fixture = await createFixtureStore();
  home = makeTempDir("recoverable-home-");
  writeFileSync(join(home, ".profile"), "# the user's own\n");
});

const restore = (...args: string[]) =>
  runCLI(["restore", "--json", ...args], { cwd: fixture.dir, env: { HOME: home } });

const at = (path: string) => join(fixture.dir, path);

/** Everything under `dir` (names only), to show a run changed nothing there. */
const listing = (dir: string) => readdirSync(dir, { recursive: true }).map(String).sort();

describe("targets a restore never replaces, whatever --force says (exit 2)", () => {
  const cases: [string, () => string][] = [
    ['"" (an unset variable)', () => ""],
    [".", () => "."],
    ["the working directory", () => fixture.dir],
    ["/", () => "/"],
    ["$HOME", () => home],
  ];
  for (const force of [[], ["--force"]])
    it.each(cases)(`refuses %s ${force.join(" ") || "without --force"}`, (_name, target) => {
      const [here, homeBefore, rootBefore] = [
        listing(fixture.dir),
        listing(home),
        readdirSync("/"),
      ];
      const run = restore("--source", "dir:store", "--target", target(), ...force);
      const json = expectContract(run);
      expect(run.code).toBe(2);
      expect(json).toHaveFinding("usage_invalid", "--target");
      expect(json.findings).toHaveLength(1);
      expect(listing(fixture.dir)).toEqual(here);
      expect(listing(home)).toEqual(homeBefore);
      expect(readdirSync("/")).toEqual(rootBefore);
    });

  it("refuses an ancestor of the working directory (run from a directory two below)", () => {
    const work = at("work/here");
    mkdirSync(work, { recursive: true });
    const before = listing(fixture.dir);
    const args = ["--source", "dir:../../store", "--ops", "../../ops", "--target", ".."];
    const run = runCLI(["restore", "--json", ...args, "--force"], {
      cwd: work,
      env: { HOME: home },
    });
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json.findings[0]?.message).toMatch(/is an ancestor of the working directory/);
    expect(listing(fixture.dir)).toEqual(before);
  });

  it.each([
    ["inside the dir: backup", "dir:store", "store/restored-here", /is inside the backup/],
    [
      "the dir: backup itself",
      "dir:backups/store",
      "backups/store",
      /is the backup being restored/,
    ],
    ["an ancestor of the dir: backup", "dir:backups/store", "backups", /ancestor of the backup/],
    [
      "an ancestor of the tar: backup",
      "tar:backups/store.tar",
      "backups",
      /ancestor of the backup/,
    ],
    ["an ancestor of the evidence", "dir:store", "ops", /holds the evidence/],
  ])("refuses a target %s", (_name, source, target, why) => {
    mkdirSync(at("backups"));
    execFileSync("cp", ["-a", fixture.store, at("backups/store")]);
    execFileSync("tar", ["-C", fixture.store, "-cf", at("backups/store.tar"), "."]);
    const before = listing(fixture.dir);
    const run = restore("--source", source, "--target", target, "--force");
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json).toHaveFinding("usage_invalid", "--target");
    expect(json.findings[0]?.message).toMatch(why);
    expect(listing(fixture.dir)).toEqual(before);
  });

  it("refuses a target that is a symbolic link, and a --scratch inside the target", () => {
    execFileSync("cp", ["-a", fixture.store, at("live")]);
    symlinkSync(at("live"), at("live-link"));
    const before = listing(fixture.dir);
    const link = restore("--source", "dir:store", "--target", "live-link", "--force");
    expect(expectContract(link).exitCode).toBe(2);
    expect(link.json().findings[0]?.message).toMatch(/is a symbolic link/);
    const scratch = restore(
      "--source",
      "dir:store",
      "--target",
      "live",
      "--force",
      "--scratch",
      "live/tmp",
    );
    expect(expectContract(scratch).exitCode).toBe(2);
    expect(scratch.json()).toHaveFinding("usage_invalid", "--scratch");
    expect(listing(fixture.dir)).toEqual(before);
  });
});

describe("a dry run opens the source and shows the plan", () => {
  it.each([
    ["dir:/nonexistent"],
    ["tar:/nonexistent.tgz"],
    ["snapshot:repo#nonexistent"],
    ["restic:/nonexistent#latest"],
  ])("of %s that is not there: source_unreadable, exit 1", (source) => {
    if (source.startsWith("snapshot:"))
      expect(
        runCLI(["snapshot", "--root", "store", "--repo", "repo"], { cwd: fixture.dir }).code,
      ).toBe(0);
    const before = listing(fixture.dir);
    const run = restore("--source", source, "--target", "restored", "--dry-run");
    const json = expectContract(run);
    expect(run.code).toBe(1);
    expect(json).toHaveFinding("source_unreadable");
    expect(json.verdict).toBe("not_proven");
    expect(listing(fixture.dir)).toEqual(before);
  });

  it("of a non-empty target without --force: target_not_empty (exit 2), and still the plan", () => {
    execFileSync("cp", ["-a", fixture.store, at("live")]);
    const run = restore("--source", "dir:store", "--target", "live", "--dry-run");
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json).toHaveFinding("target_not_empty");
    const plan = json["plan"] as { targetState: string; safetyCopy: string | null };
    expect(plan.targetState).toBe("non-empty");
    expect(plan.safetyCopy).toMatch(/\.live\.recoverable-safety-/);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });
});

describe("a dir: source that is a symbolic link to a directory", () => {
  it("is followed as the source itself, as with a trailing slash; links inside it never are", () => {
    symlinkSync(fixture.store, at("store-link"));
    const run = restore("--source", "dir:store-link", "--target", "restored");
    expect(expectContract(run).exitCode, run.stdout).toBe(0);
    expect(tree(at("restored"))).toEqual(tree(fixture.store));
    symlinkSync("/etc/passwd", at("store/pw"));
    const inside = restore("--source", "dir:store-link", "--target", "again");
    expect(expectContract(inside).exitCode).toBe(1);
    expect(inside.json()).toHaveFinding("archive_entry_refused", "pw");
    expect(existsSync(at("again"))).toBe(false);
  });

  it("is a reachable backup for audit", () => {
    const example = copyExample();
    symlinkSync(example.path("ops/store"), example.path("store-link"));
    example.editDrillConfig((config) => {
      config["backups"] = [{ name: "linked", source: "dir:store-link", authoritative: true }];
    });
    const run = runCLI(["audit", "--json"], { cwd: example.dir });
    const backups = expectContract(run)["backups"] as { reachable: boolean }[];
    expect(backups[0]?.reachable).toBe(true);
  });
});

// A tmpfs to fill up or to put --scratch on: mounting needs root, which the test machine has.
const canMount = (() => {
  const probe = mountTmpfs(64 * 1024);
  probe?.unmount();
  return probe !== null;
})();

describe.skipIf(!canMount)("file systems (each test mounts a small tmpfs)", () => {
  let fs: Tmpfs | null = null;
  afterEach(() => {
    fs?.unmount();
    fs = null;
  });
  const mount = (bytes: number) => (fs = mountTmpfs(bytes) as Tmpfs);

  /** The source: the fixture store and 4 MiB of files the release does not list. */
  function biggerSource(): void {
    execFileSync("cp", ["-a", fixture.store, at("big")]);
    writeFileSync(at("big/extra-1.bin"), randomBytes(2 * 1024 * 1024));
    writeFileSync(at("big/extra-2.bin"), randomBytes(2 * 1024 * 1024));
    execFileSync("tar", ["-C", at("big"), "-czf", at("big.tgz"), "."]);
  }

  it.each([["tar:big.tgz"], ["dir:big"], ["restic:restic-repo#latest"]])(
    "a full file system while restoring %s: io_failed (exit 3), the old store intact, every byte given back",
    (source) => {
      biggerSource();
      if (source.startsWith("restic:")) {
        initRepository(at("restic-repo"));
        backup(at("restic-repo"), ["."], { cwd: at("big"), time: new Date() });
      }
      const { dir } = mount(2 * 1024 * 1024);
      const live = join(dir, "live");
      execFileSync("cp", ["-a", fixture.store, live]);
      const [old, before, free] = [tree(live), listing(dir), statfsSync(dir).bfree];
      const run = runCLI(["restore", "--json", "--source", source, "--target", live, "--force"], {
        cwd: fixture.dir,
        env: { HOME: home, RESTIC_PASSWORD },
      });
      const json = expectContract(run);
      expect(run.code, run.stdout).toBe(3);
      expect(json).toHaveFinding("io_failed", dir);
      expect(json.findings[0]?.message).toMatch(
        new RegExp(
          `^no space left on ${dir} \\(ENOSPC\\) while restoring: the release's files take about \\d+ bytes`,
        ),
      );
      expect(tree(live)).toEqual(old);
      expect(listing(dir)).toEqual(before);
      expect(statfsSync(dir).bfree).toBe(free);
    },
  );

  it("a disk a killed restore filled with its scratch tree is freed by the next one", () => {
    const { dir } = mount(2 * 1024 * 1024);
    const runId = "20260101T000000Z-abcdef";
    writeFileSync(
      join(dir, ".live.recoverable.lock"),
      JSON.stringify({ pid: deadPid(), runId, phase: "restoring" }),
    );
    const scratch = join(dir, `.live.recoverable-restore-${runId}`);
    mkdirSync(scratch);
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${join(scratch, "fill")}`, "bs=64k"], {
        stdio: "ignore",
      });
    } catch {
      // dd stops when the disk is full: that is the point
    }
    const run = restore("--source", "dir:store", "--target", join(dir, "live"));
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(0);
    expect(json["recovered"]).toContainEqual(expect.stringMatching(/which had filled the disk/));
    expect(tree(join(dir, "live"))).toEqual(tree(fixture.store));
    expect(besides(dir, "live")).toEqual([]);
  });

  it("a drill whose scratch fills up: io_failed (exit 3), every byte given back", () => {
    const example = copyExample();
    const { dir } = mount(400 * 1024);
    const free = statfsSync(dir).bfree;
    const run = runCLI(["drill", "--json", "--source", "dir:ops/store", "--scratch", dir], {
      cwd: example.dir,
    });
    const json = expectContract(run);
    expect(run.code, run.stdout).toBe(3);
    expect(json).toHaveFinding("io_failed");
    expect(json.findings.find((f) => f.code === "io_failed")?.message).toMatch(
      /^no space left on /,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(statfsSync(dir).bfree).toBe(free);
  });

  it("--scratch on another file system is refused before anything is written (exit 2), the target as it was", () => {
    const { dir } = mount(8 * 1024 * 1024);
    execFileSync("cp", ["-a", fixture.store, at("live")]);
    const old = tree(at("live"));
    const run = restore("--source", "dir:store", "--target", "live", "--force", "--scratch", dir);
    const json = expectContract(run);
    expect(run.code).toBe(2);
    expect(json).toHaveFinding("usage_invalid", "--scratch");
    expect(json.findings[0]?.message).toMatch(/is on another file system/);
    expect(tree(at("live"))).toEqual(old);
    expect(readdirSync(dir)).toEqual([]);
    expect(besides(fixture.dir, "live")).toEqual([]);
  });
});
