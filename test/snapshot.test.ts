// snapshot and snapshots, as a user runs them: real stores, a real writer in another process,
// real damage to stored bytes, the rollback people do by hand, and real age and tar on exports.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { snapshot as takeSnapshotVerb } from "../src/verbs/snapshot.js";
import { CLI, runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO_ROOT = new URL("..", import.meta.url).pathname;

let fixture: FixtureStore;
beforeEach(async () => {
  fixture = await createFixtureStore();
});

const cli = (args: string[], cwd = fixture.dir): CLIRun => runCLI([...args, "--json"], { cwd });

type Snapshot = {
  id: string;
  time: string;
  validated: boolean;
  label: string | null;
  releaseId: string | null;
};

function blobOf(repo: string, snapshotId: string, path: string): string {
  const metadata = JSON.parse(
    readFileSync(join(repo, "snapshots", `${snapshotId}.json`), "utf8"),
  ) as { entries: { path: string; digest?: { sha256: string } }[] };
  const sha = metadata.entries.find((e) => e.path === path)?.digest?.sha256 ?? "";
  return join(repo, "blobs", sha.slice(0, 2), sha);
}

/** Bytes a directory takes on disk (blocks, as du counts them). */
function diskUsage(dir: string): number {
  return Number(execFileSync("du", ["-sk", dir], { encoding: "utf8" }).split("\t")[0]) * 1024;
}

describe("snapshot", () => {
  it("takes a validated snapshot that names the release the store holds", () => {
    const run = cli(["snapshot", "--root", "store", "--repo", "repo", "--label", "nightly"]);
    expect(run.code).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({
      verb: "snapshot",
      verdict: "proven",
      releaseId: "fixture-1.2.3",
      validation: { status: "valid", findings: [] },
    });
    expect(result["snapshotId"]).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    const listed = cli(["snapshots", "list", "--repo", "repo"]).json()["snapshots"] as Snapshot[];
    expect(listed).toEqual([
      expect.objectContaining({
        id: result["snapshotId"],
        label: "nightly",
        validated: true,
        releaseId: "fixture-1.2.3",
      }),
    ]);
  });

  it("names no release when the store no longer matches the sealed evidence", () => {
    appendFileSync(fixture.path("README.txt"), "changed\n");
    const run = cli(["snapshot", "--root", "store", "--repo", "repo"]);
    expect(run.code).toBe(0);
    expect(run.json().releaseId).toBeNull();
  });

  it.each(["delete", "wal"])(
    "is consistent while another process writes to an SQLite dataset (%s journal)",
    async (journalMode) => {
      const db = fixture.path("datasets/ledger.sqlite");
      const setup = new Database(db);
      setup.pragma(`journal_mode = ${journalMode}`);
      setup.exec(
        "CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT); CREATE TABLE counter(v INTEGER); INSERT INTO counter VALUES (0);",
      );
      setup.close();
      // The writer: each transaction adds one event and counts it, as fast as it can.
      const writer = spawn(
        process.execPath,
        [
          "-e",
          `const db = new (require("better-sqlite3"))(${JSON.stringify(db)}, { timeout: 10000 });
           const add = db.transaction(() => {
             db.prepare("INSERT INTO events(payload) VALUES (?)").run("x".repeat(200));
             db.prepare("UPDATE counter SET v = v + 1").run();
           });
           process.stdout.write("writing\\n");
           for (;;) add();`,
        ],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
      );
      await new Promise<void>((resolveStarted) => {
        writer.stdout.once("data", () => {
          resolveStarted();
        });
      });
      const counts: number[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          const run = await new Promise<{ code: number | null; stdout: string }>((done) => {
            const child = spawn(
              process.execPath,
              [CLI, "snapshot", "--root", "store", "--repo", "repo", "--json"],
              { cwd: fixture.dir },
            );
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.on("exit", (code) => {
              done({ code, stdout });
            });
          });
          const result = JSON.parse(run.stdout) as {
            snapshotId: string;
            validation: { status: string };
          };
          expect(run.code, run.stdout).toBe(0);
          expect(result.validation.status).toBe("valid");
          // The stored database is one point in time: every event is counted, none is missing.
          const blob = blobOf(
            join(fixture.dir, "repo"),
            result.snapshotId,
            "datasets/ledger.sqlite",
          );
          const copy = join(makeTempDir(), "ledger.sqlite");
          writeFileSync(copy, readFileSync(blob));
          const check = new Database(copy, { readonly: true });
          expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
          const events = check.prepare("SELECT count(*) FROM events").pluck().get() as number;
          const counted = check.prepare("SELECT v FROM counter").pluck().get() as number;
          check.close();
          expect(events).toBe(counted);
          counts.push(events);
        }
      } finally {
        writer.kill("SIGKILL");
      }
      // The writer really was writing between the snapshots.
      expect(counts[2]).toBeGreaterThan(counts[0] ?? 0);
    },
    60_000,
  );

  it("stores unchanged files once: 30 snapshots of an unchanged 100 MB store take < 2x one", async () => {
    const store = join(makeTempDir(), "big");
    mkdirSync(join(store, "data"), { recursive: true });
    for (let i = 0; i < 4; i++)
      writeFileSync(join(store, "data", `part-${i}.bin`), randomBytes(25 * 1024 * 1024));
    const repo = join(makeTempDir(), "repo");
    const take = () =>
      takeSnapshotVerb({ root: store, repo, cwd: fixture.dir, ops: "no-ops-here" });
    expect((await take()).exitCode).toBe(0);
    const one = diskUsage(repo);
    expect(one).toBeGreaterThan(100 * 1024 * 1024);
    for (let i = 1; i < 30; i++) expect((await take()).exitCode).toBe(0);
    expect(readdirSync(join(repo, "snapshots"))).toHaveLength(30);
    expect(diskUsage(repo)).toBeLessThan(2 * one);
  }, 120_000);

  it("leaves nothing that looks like a snapshot when killed, and the next one recovers", async () => {
    for (const point of ["snapshot-after-copy", "snapshot-after-blobs"]) {
      const child = spawn(
        process.execPath,
        [CLI, "snapshot", "--root", "store", "--repo", "repo"],
        {
          cwd: fixture.dir,
          env: { ...process.env, RECOVERABLE_TEST_PAUSE_AT: point },
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      await new Promise<void>((paused) => {
        child.stderr.on("data", (chunk: Buffer) => {
          if (chunk.toString().includes(`paused at ${point}`)) paused();
        });
      });
      child.kill("SIGKILL");
      await new Promise((exited) => child.once("exit", exited));
      expect(cli(["snapshots", "list", "--repo", "repo"]).json()["snapshots"]).toEqual([]);
    }
    // The dead process's lock is taken over; its staging is cleared.
    const next = cli(["snapshot", "--root", "store", "--repo", "repo"]);
    expect(next.code).toBe(0);
    expect(readdirSync(join(fixture.dir, "repo", "tmp"))).toEqual([]);
    expect(cli(["snapshots", "list", "--repo", "repo"]).json()["snapshots"]).toHaveLength(1);
  });
});

describe("snapshot refusals and diff of a live WAL database", () => {
  it("restores directory modes as the snapshot recorded them (owner rwx kept)", () => {
    mkdirSync(fixture.path("private"));
    writeFileSync(fixture.path("private/notes.txt"), "x\n");
    chmodSync(fixture.path("private"), 0o750);
    chmodSync(fixture.path("summaries"), 0o500);
    cli(["snapshot", "--root", "store", "--repo", "repo"]);
    chmodSync(fixture.path("summaries"), 0o755);
    const run = cli(["restore", "--source", "snapshot:repo", "--target", "restored"]);
    expect(run.code, run.stdout).toBe(0);
    expect(statSync(join(fixture.dir, "restored", "private")).mode & 0o777).toBe(0o750);
    expect(statSync(join(fixture.dir, "restored", "summaries")).mode & 0o777).toBe(0o700);
  });

  it("refuses a repository inside the store root", () => {
    const run = cli(["snapshot", "--root", "store", "--repo", "store/backups"]);
    expect(run.code).toBe(2);
    expect(run.json().findings[0]?.message).toContain("is inside the store root");
    expect(existsSync(fixture.path("backups"))).toBe(false);
  });

  it("counts rows still in the -wal file when it compares a live database", () => {
    const db = fixture.path("datasets/live.sqlite");
    const writer = new Database(db);
    writer.pragma("journal_mode = wal");
    writer.pragma("wal_autocheckpoint = 0");
    writer.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
    const id = cli(["snapshot", "--root", "store", "--repo", "repo"]).json()[
      "snapshotId"
    ] as string;
    writer.exec("INSERT INTO t VALUES (3), (4), (5);"); // stays in the -wal: no checkpoint
    const run = cli(["snapshots", "diff", id, "--repo", "repo", "--root", "store"]);
    writer.close();
    expect(run.code).toBe(0);
    const changes = run.json()["changes"] as {
      added: string[];
      modified: string[];
      tables: Record<string, unknown>;
    };
    expect(changes.added).toEqual([]); // not the -wal and -shm files
    expect(changes.modified).toEqual(["datasets/live.sqlite"]);
    expect(changes.tables["datasets/live.sqlite"]).toEqual([
      { name: "t", rowsBefore: 2, rowsAfter: 5, rowDelta: 3 },
    ]);
  });

  it("refuses to export a snapshot that failed validation", () => {
    writeFileSync(fixture.path("summaries/broken.json"), "{");
    const id = cli(["snapshot", "--root", "store", "--repo", "repo"]).json()[
      "snapshotId"
    ] as string;
    const run = cli(["snapshots", "export", id, "--repo", "repo", "--out", "x.tar.gz"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("snapshot_invalid", id);
    expect(existsSync(join(fixture.dir, "x.tar.gz"))).toBe(false);
  });
});

describe("snapshots validate", () => {
  it("fails a snapshot whose stored bytes were damaged, naming the path and the code", () => {
    const id = cli(["snapshot", "--root", "store", "--repo", "repo"]).json()[
      "snapshotId"
    ] as string;
    expect(cli(["snapshots", "validate", id, "--repo", "repo"]).code).toBe(0);
    const blob = blobOf(join(fixture.dir, "repo"), id, "config/runtime.json");
    chmodSync(blob, 0o644);
    const bytes = readFileSync(blob);
    bytes[3] = (bytes[3] ?? 0) ^ 0x20;
    writeFileSync(blob, bytes);
    const run = cli(["snapshots", "validate", id.slice(0, 20), "--repo", "repo"]);
    expect(run.code).toBe(1);
    expect(run.json()).toHaveFinding("artifact_hash_mismatch", "config/runtime.json");
    expect(run.json().findings[0]?.message).toContain(`snapshot ${id}`);
    // And a restore from it refuses the damaged bytes.
    const restore = cli(["restore", "--source", `snapshot:repo#${id}`, "--target", "restored"]);
    expect(restore.code).toBe(1);
    expect(restore.json()).toHaveFinding("source_unreadable");
    expect(existsSync(join(fixture.dir, "restored"))).toBe(false);
  });

  it("never offers a snapshot that failed validation at creation as latest", () => {
    const good = cli(["snapshot", "--root", "store", "--repo", "repo"]).json()["snapshotId"];
    writeFileSync(fixture.path("summaries/broken.json"), '{"half": ');
    const bad = cli(["snapshot", "--root", "store", "--repo", "repo"]);
    expect(bad.code).toBe(1);
    expect(bad.json()).toHaveFinding("json_artifact_invalid", "summaries/broken.json");
    expect(bad.json()["validation"]).toMatchObject({ status: "invalid" });
    const listed = cli(["snapshots", "list", "--repo", "repo"]).json()["snapshots"] as Snapshot[];
    expect(listed.map((s) => s.validated)).toEqual([false, true]);
    const latest = cli(["snapshots", "validate", "latest", "--repo", "repo"]);
    expect(latest.json()["snapshotId"]).toBe(good);
    const invalid = cli([
      "snapshots",
      "validate",
      bad.json()["snapshotId"] as string,
      "--repo",
      "repo",
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.json()).toHaveFinding("snapshot_invalid");
  });

  it("says which id is unknown or ambiguous, exit 2", () => {
    cli(["snapshot", "--root", "store", "--repo", "repo"]);
    const run = cli(["snapshots", "validate", "19990101", "--repo", "repo"]);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("snapshot_not_found", "19990101");
    const notRepo = cli(["snapshots", "list", "--repo", "store"]);
    expect(notRepo.code).toBe(2);
    expect(notRepo.json().findings[0]?.message).toContain("not a snapshot repository");
  });
});

describe("the rollback people do by hand", () => {
  it("snapshot, change data, see the change with diff, restore the snapshot: the change is gone and the release is back", () => {
    const example = copyExample();
    const at = (args: string[]) => runCLI([...args, "--json"], { cwd: example.dir });
    const taken = at(["snapshot", "--root", "ops/store", "--repo", "backups"]);
    expect(taken.code).toBe(0);
    const identity = taken.json().releaseIdentity;
    expect(identity).not.toBeNull();

    // A bad migration: 100 cities gone, one airport renamed.
    const cities = new Database(example.path("ops/store/datasets/cities.sqlite"));
    cities.prepare("DELETE FROM cities WHERE id IN (SELECT id FROM cities LIMIT 100)").run();
    cities.close();
    const airports = new Database(example.path("ops/store/datasets/airports.sqlite"));
    airports
      .prepare(
        "UPDATE airports SET name = name || ' (renamed)' WHERE iata = (SELECT min(iata) FROM airports)",
      )
      .run();
    airports.close();
    expect(at(["verify", "--root", "ops/store"]).code).toBe(1);

    const diff = at(["snapshots", "diff", "latest", "--repo", "backups", "--root", "ops/store"]);
    expect(diff.code).toBe(0);
    const changes = diff.json()["changes"] as {
      modified: string[];
      added: string[];
      removed: string[];
      tables: Record<string, unknown[]>;
    };
    expect(changes.added).toEqual([]);
    expect(changes.removed).toEqual([]);
    expect(changes.modified).toEqual(["datasets/airports.sqlite", "datasets/cities.sqlite"]);
    const byPath = changes.tables;
    expect(byPath["datasets/cities.sqlite"]).toEqual([
      { name: "cities", rowsBefore: 3000, rowsAfter: 2900, rowDelta: -100 },
    ]);
    expect(byPath["datasets/airports.sqlite"]).toEqual([
      { name: "airports", rowsBefore: 1200, rowsAfter: 1200, rowDelta: 0 },
    ]);

    const restored = at([
      "restore",
      "--source",
      "snapshot:backups#latest",
      "--target",
      "ops/store",
      "--force",
    ]);
    expect(restored.code).toBe(0);
    expect(restored.json()["resolved"]).toBe(`snapshot ${String(taken.json()["snapshotId"])}`);
    const verified = at(["verify", "--root", "ops/store"]);
    expect(verified.code).toBe(0);
    expect(verified.json().releaseIdentity).toEqual(identity);
    const back = new Database(example.path("ops/store/datasets/cities.sqlite"), { readonly: true });
    expect(back.prepare("SELECT count(*) FROM cities").pluck().get()).toBe(3000);
    back.close();
    const after = at(["snapshots", "diff", "latest", "--repo", "backups", "--root", "ops/store"]);
    expect(after.json()["changes"]).toMatchObject({
      added: [],
      removed: [],
      modified: [],
      tables: {},
    });
  });

  it("drills from snapshot:<repo>#latest and reports the snapshot's real age as RPO", async () => {
    const example = copyExample();
    const threeHoursAgo = new Date(Date.now() - 3 * 3600_000);
    const taken = await takeSnapshotVerb({
      root: "ops/store",
      repo: "backups",
      cwd: example.dir,
      now: () => threeHoursAgo,
    });
    expect(taken.exitCode).toBe(0);
    const run = runCLI(["drill", "--source", "snapshot:backups#latest", "--out", "out", "--json"], {
      cwd: example.dir,
    });
    expect(run.code).toBe(0);
    const rpo = run.json()["rpo"] as { seenSeconds: number };
    const report = JSON.parse(
      readFileSync(join(example.dir, "out", "drill-report.json"), "utf8"),
    ) as {
      source: { resolved: string };
    };
    expect(report.source.resolved).toBe(`snapshot ${String(taken.snapshotId)}`);
    expect(rpo.seenSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(rpo.seenSeconds).toBeLessThan(3 * 3600 + 120);
  });
});

describe("snapshots export", () => {
  it("writes a .tar.gz that GNU tar reads back to the same bytes, and never overwrites", () => {
    const id = cli(["snapshot", "--root", "store", "--repo", "repo"]).json()[
      "snapshotId"
    ] as string;
    const run = cli(["snapshots", "export", id, "--repo", "repo", "--out", "store.tar.gz"]);
    expect(run.code).toBe(0);
    const out = join(makeTempDir(), "x");
    mkdirSync(out);
    execFileSync("tar", ["-xzf", join(fixture.dir, "store.tar.gz"), "-C", out]);
    for (const path of ["catalog.json", "datasets/places.sqlite"])
      expect(readFileSync(join(out, path))).toEqual(readFileSync(fixture.path(path)));
    // The cache is disposable: a snapshot does not copy it (docs/live-data.md).
    expect(existsSync(join(out, "cache/query-cache.json"))).toBe(false);
    expect(statSync(join(out, "datasets/places.sqlite")).mode & 0o777).toBe(
      statSync(fixture.path("datasets/places.sqlite")).mode & 0o777,
    );
    const again = cli(["snapshots", "export", id, "--repo", "repo", "--out", "store.tar.gz"]);
    expect(again.code).toBe(2);
    expect(again.json()).toHaveFinding("output_exists");
  });

  it("encrypts to an age recipient: the age CLI decrypts it, and it restores through tar: with --identity", () => {
    const keys = makeTempDir();
    execFileSync("age-keygen", ["-o", join(keys, "key.txt")], { stdio: "ignore" });
    const recipient = execFileSync("age-keygen", ["-y", join(keys, "key.txt")], {
      encoding: "utf8",
    }).trim();
    cli(["snapshot", "--root", "store", "--repo", "repo"]);
    const run = cli([
      "snapshots",
      "export",
      "latest",
      "--repo",
      "repo",
      "--out",
      "store.tar.gz.age",
      "--encrypt-to",
      recipient,
    ]);
    expect(run.code).toBe(0);
    const archive = join(fixture.dir, "store.tar.gz.age");
    expect(readFileSync(archive).subarray(0, 21).toString()).toBe("age-encryption.org/v1");
    const decrypted = spawnSync("age", ["-d", "-i", join(keys, "key.txt"), archive]);
    expect(decrypted.status).toBe(0);
    const listing = spawnSync("tar", ["-tz"], { input: decrypted.stdout, encoding: "utf8" });
    expect(listing.stdout).toContain("datasets/places.sqlite");
    const restored = cli([
      "restore",
      "--source",
      "tar:store.tar.gz.age",
      "--identity",
      join(keys, "key.txt"),
      "--target",
      "restored",
    ]);
    expect(restored.code).toBe(0);
    expect(readFileSync(join(fixture.dir, "restored", "datasets", "places.sqlite"))).toEqual(
      readFileSync(fixture.path("datasets/places.sqlite")),
    );
  });
});
