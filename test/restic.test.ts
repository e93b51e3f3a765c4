// restic: sources against real restic repositories and the real CLI. One shared repository
// holds the example store backed up the three ways restic keeps a tree (a relative path, an
// absolute path, `.`), a store with one changed byte, one with symlinks and a two-path snapshot;
// a second repository is served over restic's REST protocol by rclone. Each failure restic can
// report is one case.
import { createHash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";
import {
  backup,
  initRepository,
  RESTIC_PASSWORD,
  serveRestic,
  type RESTServer,
} from "./helpers/restic.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const HOUR = 3_600_000;
const hoursAgo = (hours: number) => new Date(Date.now() - hours * HOUR);

let example: ExampleCopy;
let repository: string;
const ids = { absolute: "", dot: "", changed: "", twoPaths: "", links: "" };
let locksChangedAt = 0;

beforeAll(() => {
  example = copyExample();
  const base = makeTempDir("recoverable-restic-");
  repository = join(base, "repo");
  initRepository(repository);
  const site = join(base, "srv", "atlas");
  cpSync(example.path("ops/store"), join(site, "store"), { recursive: true });
  // The newest snapshot (latest) is 3 hours old; the others are older.
  backup(repository, ["store"], { cwd: site, time: hoursAgo(3) });
  ids.absolute = backup(repository, [join(site, "store")], { cwd: base, time: hoursAgo(4) });
  ids.dot = backup(repository, ["."], { cwd: join(site, "store"), time: hoursAgo(5) });
  const changed = join(base, "changed", "store");
  cpSync(join(site, "store"), changed, { recursive: true });
  const file = join(changed, "datasets/airports.sqlite");
  const bytes = readFileSync(file);
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x01;
  writeFileSync(file, bytes);
  ids.changed = backup(repository, ["store"], { cwd: join(base, "changed"), time: hoursAgo(6) });
  ids.twoPaths = backup(repository, ["srv/atlas/store", "changed/store"], {
    cwd: base,
    time: hoursAgo(7),
  });
  const linked = join(base, "linked", "store");
  cpSync(join(site, "store"), linked, { recursive: true });
  symlinkSync("../catalog.json", join(linked, "cache/inside"));
  symlinkSync("/etc/passwd", join(linked, "cache/outside"));
  ids.links = backup(repository, ["store"], { cwd: join(base, "linked"), time: hoursAgo(8) });
  locksChangedAt = statSync(join(repository, "locks")).mtimeMs;
});

const withPassword = (env: Record<string, string> = {}) => ({
  RESTIC_PASSWORD,
  ...env,
});

const restore = (source: string, target: string, env: Record<string, string> = {}): CLIRun =>
  runCLI(["restore", "--json", "--source", source, "--target", target], {
    cwd: example.dir,
    env: withPassword(env),
  });

const drill = (source: string, out: string, env: Record<string, string> = {}): CLIRun =>
  runCLI(["drill", "--json", "--source", source, "--out", out], {
    cwd: example.dir,
    env: withPassword(env),
  });

/** Every file and directory under `root`, with the sha256 of each file's bytes. */
function treeOf(root: string, prefix = ""): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const name of readdirSync(join(root, prefix)).sort()) {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    if (statSync(join(root, path)).isDirectory()) {
      tree[path] = "dir";
      Object.assign(tree, treeOf(root, path));
    } else
      tree[path] = createHash("sha256")
        .update(readFileSync(join(root, path)))
        .digest("hex");
  }
  return tree;
}

describe("restic:<repository>#<snapshot>, when the snapshot holds the store", () => {
  it.each([
    ["#latest (a relative backup)", () => "#latest"],
    ["no # at all, which means latest", () => ""],
    ["a short id (an absolute backup)", () => `#${ids.absolute.slice(0, 8)}`],
    ["a full id (a backup of '.')", () => `#${ids.dot}`],
  ])("restores it with %s, byte for byte", (_name, snapshot) => {
    const target = `restored-${Math.random().toString(16).slice(2)}`;
    const run = restore(`restic:${repository}${snapshot()}`, target);
    expect(run.code).toBe(0);
    expect(treeOf(example.path(target))).toEqual(treeOf(example.path("ops/store")));
    // The result says which snapshot it was, in full, whatever the reference said.
    expect(run.json()["resolved"]).toMatch(/^restic snapshot [0-9a-f]{64}$/);
  });

  it("drills it to a proven report whose RPO is the backup's age, not the restore's", () => {
    const run = drill(`restic:${repository}#latest`, "out-latest");
    expect(run.json().findings).toEqual([]);
    expect(run.code).toBe(0);
    const rpo = run.json()["rpo"] as { seenSeconds: number };
    expect(rpo.seenSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(rpo.seenSeconds).toBeLessThan(3 * 3600 + 300);
  });
});

describe("restic:rest:http://... over restic's REST protocol (rclone serve restic)", () => {
  let server: RESTServer;
  beforeAll(async () => {
    const served = makeTempDir("recoverable-restic-rest-");
    server = await serveRestic(served);
    initRepository(`rest:${server.url}`);
    backup(`rest:${server.url}`, ["store"], { cwd: example.path("ops"), time: hoursAgo(1) });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("drills the latest snapshot to a proven report", () => {
    const run = drill(`restic:rest:${server.url}#latest`, "out-rest");
    expect(run.json().findings).toEqual([]);
    expect(run.code).toBe(0);
  });

  it("never shows a password given in the repository URL", () => {
    const url = server.url.replace("http://", "http://drill:url-secret-5512@");
    const run = restore(`restic:rest:${url}missing/#latest`, "never-rest");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    expect(run.stdout + run.stderr).not.toContain("url-secret-5512");
    expect(run.json().findings[0]?.subject).toContain("drill:***@");
  });
});

describe("restic:<repository>#<snapshot>, when it cannot restore the store", () => {
  it("gives source_credentials_refused (exit 2) for a wrong password, and prints no password", () => {
    const wrong = "osprey-Wrong-4410-password";
    const run = drill(`restic:${repository}#latest`, "out-wrong", { RESTIC_PASSWORD: wrong });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("source_credentials_refused");
    // The hint is restic's: nothing about age identity files.
    const hint = run.json().findings[0]?.hint ?? "";
    expect(hint).toContain("RESTIC_PASSWORD_FILE");
    expect(hint).not.toMatch(/\bage\b|--identity/);
    const outputs = readdirSync(example.path("out-wrong"))
      .map((name) => readFileSync(example.path(`out-wrong/${name}`), "utf8"))
      .join("\n");
    for (const text of [run.stdout, run.stderr, outputs]) {
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(RESTIC_PASSWORD);
    }
  });

  it("gives source_credentials_refused (exit 2) when no password is set", () => {
    const run = restore(`restic:${repository}#latest`, "never-nopw", { RESTIC_PASSWORD: "" });
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("source_credentials_refused");
  });

  it("gives source_unreadable (exit 1) naming a repository that does not exist", () => {
    const missing = join(makeTempDir(), "no-repository-here");
    const run = restore(`restic:${missing}#latest`, "never-missing");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    expect(run.json().findings[0]?.message).toContain(missing);
  });

  it("gives source_unreadable (exit 1) for a snapshot id the repository does not have", () => {
    const run = restore(`restic:${repository}#0badc0de`, "never-snapshot");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    expect(run.json().findings[0]?.message).toContain("0badc0de");
  });

  it("gives source_unreadable (exit 1) naming both paths of a snapshot of two directories", () => {
    const run = restore(`restic:${repository}#${ids.twoPaths}`, "never-two");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable");
    const message = run.json().findings[0]?.message;
    expect(message).toContain("/srv/atlas/store");
    expect(message).toContain("/changed/store");
  });

  it("gives tool_unavailable (exit 3) when restic is not on PATH", () => {
    const run = restore(`restic:${repository}#latest`, "never-path", { PATH: "/nonexistent" });
    expect(run.code).toBe(3);
    expect(run.json()).toHaveFinding("tool_unavailable", "restic");
  });

  it("gives usage_invalid (exit 2) for a snapshot that is neither latest nor an id", () => {
    for (const snapshot of ["#", "#--help", "#last"]) {
      const run = restore(`restic:${repository}${snapshot}`, "never-usage");
      expect(run.code).toBe(2);
      expect(run.json()).toHaveFinding("usage_invalid", "--source");
    }
  });

  it("judges every member as for a tar archive: symlinks are refused, never restored", () => {
    const run = restore(`restic:${repository}#${ids.links}`, "never-links");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("archive_entry_refused", "store/cache/inside");
    expect(run.json()).toHaveFinding("path_escapes_root", "store/cache/outside");
    expect(readdirSync(example.dir)).not.toContain("never-links");
  });

  it("drills a snapshot with one changed byte to artifact_hash_mismatch (exit 1)", () => {
    const run = drill(`restic:${repository}#${ids.changed}`, "out-changed");
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_hash_mismatch", "datasets/airports.sqlite");
  });
});

// Last: every run above read the shared repository. A lock, even one removed again, would
// have changed its locks directory.
it("reads the repository without writing to it: restic never made a lock (--no-lock)", () => {
  expect(statSync(join(repository, "locks")).mtimeMs).toBe(locksChangedAt);
});
