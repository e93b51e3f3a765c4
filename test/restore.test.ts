// restore, as a user runs it: real directories, real tar archives (plain, gzip, hostile,
// truncated), real child processes killed at named points.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { CLI, runCLI } from "./helpers/cli.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { rawTar } from "./helpers/raw-tar.js";
import { tree } from "./helpers/tree.js";

let fixture: FixtureStore;
beforeEach(async () => {
  fixture = await createFixtureStore();
});

const restoreJSON = (...args: string[]) =>
  runCLI(["restore", "--json", ...args], { cwd: fixture.dir });

function tarOfStore(name: string, flags = "-cf"): string {
  const path = join(fixture.dir, name);
  execFileSync("tar", ["-C", fixture.store, flags, path, "."]);
  return path;
}

describe("restore from dir: and tar:", () => {
  it("restores a directory into an absent target, verified, exit 0", () => {
    const run = restoreJSON("--source", "dir:store", "--target", "restored");
    expect(run.code).toBe(0);
    expect(tree(join(fixture.dir, "restored"))).toEqual(tree(fixture.store));
    expect(run.json()["safetyCopy"]).toBeNull();
  });

  it.each([
    ["plain tar", "store.tar", "-cf"],
    ["gzip tar", "store.tar.gz", "-czf"],
    ["tgz", "store.tgz", "-czf"],
  ])("restores a %s made by GNU tar", (_name, file, flags) => {
    tarOfStore(file, flags);
    const run = restoreJSON("--source", `tar:${file}`, "--target", "restored");
    expect(run.code).toBe(0);
    expect(tree(join(fixture.dir, "restored"))).toEqual(tree(fixture.store));
  });

  it("refuses a non-empty target without --force (exit 2), and keeps a safety copy with it", () => {
    mkdirSync(join(fixture.dir, "live"));
    // A listed file: an unlisted one would be carried over (test/restore-unlisted.test.ts).
    writeFileSync(join(fixture.dir, "live", "README.txt"), "old store");
    const refused = restoreJSON("--source", "dir:store", "--target", "live");
    expect(refused.code).toBe(2);
    expect(refused.json()).toHaveFinding("target_not_empty");
    const forced = restoreJSON("--source", "dir:store", "--target", "live", "--force");
    expect(forced.code).toBe(0);
    const safety = forced.json()["safetyCopy"] as string;
    expect(readFileSync(join(safety, "README.txt"), "utf8")).toBe("old store");
    expect(tree(join(fixture.dir, "live"))).toEqual(tree(fixture.store));
  });

  it("prints the plan with --dry-run and changes nothing", () => {
    const before = readdirSync(fixture.dir).sort();
    const run = restoreJSON("--source", "dir:store", "--target", "restored", "--dry-run");
    expect(run.code).toBe(0);
    const plan = run.json()["plan"] as { steps: string[]; targetState: string };
    expect(plan.targetState).toBe("absent");
    expect(plan.steps.some((s) => s.startsWith("verify"))).toBe(true);
    expect(readdirSync(fixture.dir).sort()).toEqual(before);
  });

  it("does not swap in a backup that fails verification, and leaves the old target as it was", () => {
    const live = join(fixture.dir, "live");
    execFileSync("cp", ["-a", fixture.store, live]);
    const before = tree(live);
    const bad = join(fixture.dir, "bad");
    execFileSync("cp", ["-a", fixture.store, bad]);
    const file = join(bad, "README.txt");
    writeFileSync(file, readFileSync(file, "utf8").replace("fixture", "fixturE"));
    const run = restoreJSON("--source", "dir:bad", "--target", "live", "--force");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_hash_mismatch", "README.txt");
    expect(tree(live)).toEqual(before);
    expect(readdirSync(fixture.dir).filter((f) => f.startsWith(".live."))).toEqual([]);
  });
});

describe("restore from a hostile or broken tar", () => {
  const good = () => ({ path: "README.txt", body: "The fixture store.\n" });

  it.each([
    ["a ../ member", [good(), { path: "../x", body: "outside" }], "path_escapes_root"],
    [
      "an absolute member",
      [good(), { path: "/tmp/recoverable-absolute-x", body: "outside" }],
      "path_escapes_root",
    ],
    [
      "a symlink out of the root",
      [
        { path: "datasets", type: "Directory" as const },
        { path: "datasets/link", type: "SymbolicLink" as const, linkpath: "/etc" },
      ],
      "path_escapes_root",
    ],
    [
      "a file written through a symlink",
      [
        { path: "ln", type: "SymbolicLink" as const, linkpath: "." },
        { path: "ln/x", body: "through" },
      ],
      "path_escapes_root",
    ],
    [
      "a hardlink to a file outside",
      [{ path: "h", type: "Link" as const, linkpath: "../../etc/passwd" }],
      "path_escapes_root",
    ],
    [
      "a hardlink to a later member",
      [{ path: "h", type: "Link" as const, linkpath: "README.txt" }, good()],
      "archive_entry_refused",
    ],
    ["a FIFO", [good(), { path: "pipe", type: "FIFO" as const }], "archive_entry_refused"],
    [
      "a device",
      [good(), { path: "dev", type: "CharacterDevice" as const }],
      "archive_entry_refused",
    ],
    ["a path twice", [good(), good()], "archive_entry_refused"],
  ])(
    "refuses %s with exit 1 and the right code; nothing reaches the target or outside it",
    (_name, members, code) => {
      writeFileSync(join(fixture.dir, "evil.tar"), rawTar(members));
      const run = restoreJSON("--source", "tar:evil.tar", "--target", "restored");
      expect(run.code).toBe(1);
      expect(run.json()).toHaveFinding(code);
      expect(existsSync(join(fixture.dir, "restored"))).toBe(false);
      expect(existsSync(join(fixture.dir, "x"))).toBe(false);
      expect(existsSync("/tmp/recoverable-absolute-x")).toBe(false);
      expect(readdirSync(fixture.dir).filter((f) => f.startsWith(".restored."))).toEqual([]);
    },
  );

  it("gives source_unreadable (exit 1) for a truncated gzip tar, never a crash", () => {
    const path = tarOfStore("store.tgz", "-czf");
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const run = restoreJSON("--source", "tar:store.tgz", "--target", "restored");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    expect(existsSync(join(fixture.dir, "restored"))).toBe(false);
  });

  it("gives source_unreadable for a file that is not a tar at all, and for a missing one", () => {
    writeFileSync(join(fixture.dir, "junk.tar"), Buffer.alloc(4096, 0x41));
    expect(restoreJSON("--source", "tar:junk.tar", "--target", "r").json()).toHaveFinding(
      "source_unreadable",
    );
    expect(restoreJSON("--source", "tar:missing.tar", "--target", "r").json()).toHaveFinding(
      "source_unreadable",
    );
  });

  it("gives exit 2 for a source string it does not understand", () => {
    const run = restoreJSON("--source", "ftp://x", "--target", "r");
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("usage_invalid", "--source");
  });
});

describe("restore killed with SIGKILL", () => {
  function killedAt(point: string, target: string): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      const child = spawn(
        process.execPath,
        [CLI, "restore", "--source", "dir:store", "--target", target, "--force"],
        {
          cwd: fixture.dir,
          env: { ...process.env, RECOVERABLE_TEST_PAUSE_AT: point },
        },
      );
      child.stderr.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes(`paused at ${point}`)) child.kill("SIGKILL");
      });
      child.on("exit", (_code, signal) => {
        if (signal === "SIGKILL") resolvePromise();
        else reject(new Error(`exited without being killed at ${point}`));
      });
    });
  }

  it.each(["after-extract", "after-verify"])(
    "at %s leaves the old store byte for byte as it was",
    async (point) => {
      const live = join(fixture.dir, "live");
      execFileSync("cp", ["-a", fixture.store, live]);
      writeFileSync(join(live, "marker.txt"), "the old store");
      const before = tree(live);
      await killedAt(point, "live");
      expect(tree(live)).toEqual(before);
      // The next restore clears what the killed one left and succeeds.
      const next = restoreJSON("--source", "dir:store", "--target", "live", "--force");
      expect(next.code).toBe(0);
      expect(next.json()["recovered"]).toEqual(
        expect.arrayContaining([expect.stringMatching(/removed the abandoned scratch tree/)]),
      );
    },
  );

  it("refuses a second restore while one holds the lock", async () => {
    const child = spawn(
      process.execPath,
      [CLI, "restore", "--source", "dir:store", "--target", "live"],
      {
        cwd: fixture.dir,
        env: { ...process.env, RECOVERABLE_TEST_PAUSE_AT: "after-extract" },
      },
    );
    await new Promise<void>((resolvePromise) =>
      child.stderr.on("data", () => {
        resolvePromise();
      }),
    );
    const second = restoreJSON("--source", "dir:store", "--target", "live");
    child.kill("SIGKILL");
    expect(second.code).toBe(3);
    expect(second.json()).toHaveFinding("target_locked");
  });
});
