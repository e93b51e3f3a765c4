// The live-data example (examples/live-store), drilled as its README says: sealed once, then
// nightly rounds of "the service writes, snapshot, drill" that are each proven without a new
// seal; a writer running during seal and snapshot; and backups of it that lost something.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyLiveExample, type LiveExample } from "./helpers/live-example.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const RELEASE = ["--release-id", "atocore-2026.12.0", "--release-version", "2026.12.0"];
const DATABASE = "data/db/atocore.db";
const SEGMENT = "data/chroma/6f1c2a4e-93d1-4b7a-9c55-0e2f7d8a1b30/data_level0.bin";

type Manifest = { artifacts: { path: string; level?: string }[] };
type Snapshot = {
  entries: {
    path: string;
    type: string;
    digest?: { sha256: string };
    sqlite?: { method: string };
  }[];
};

function seal(example: LiveExample): string {
  const sealed = example.cli(["seal", ...RELEASE]);
  expect(sealed.code, sealed.stdout).toBe(0);
  return sealed.json().releaseIdentity?.sha256 ?? "";
}

function rowsOf(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("the live-data example, sealed once", () => {
  it("proves five nightly rounds of writes, snapshot and drill without a new seal, each signed report saying the database is pinned by schema in the release and by the snapshot's record for its bytes", () => {
    const example = copyLiveExample();
    const identity = seal(example);
    for (let round = 1; round <= 5; round++) {
      example.script("writer.mjs");
      const taken = example.cli(["snapshot", "--repo", "backups/snapshots", "--label", "nightly"]);
      expect(taken.code, taken.stdout).toBe(0);
      const out = `drills/${round}`;
      const drill = example.cli([
        "drill",
        "--source",
        "snapshot:backups/snapshots#latest",
        "--out",
        out,
      ]);
      expect(drill.code, drill.stdout).toBe(0);
      expect(drill.json().releaseIdentity?.sha256).toBe(identity);
      const report = example.report(out);
      expect(report.verdict).toBe("proven");
      expect(report.source?.record).toBe(`snapshot ${String(taken.json()["snapshotId"])}`);
      const check = (name: string) => report.checks.find((c) => c.name === name);
      expect(check(DATABASE)).toMatchObject({
        status: "passed",
        level: "schema",
        pinnedBy: "backup record",
      });
      expect(check("config/project-registry.json")).toMatchObject({
        level: "schema",
        pinnedBy: "backup record",
      });
      expect(check("data/chroma")).toMatchObject({ level: "present", pinnedBy: "backup record" });
      expect(report.findings).toEqual([]);
    }
    // Fifty interactions and five documents later than the release, which holds 900.
    expect(rowsOf(example.path(`store/${DATABASE}`), "interactions")).toBe(950);
    const verified = runCLI(
      [
        "report",
        "verify",
        "drills/5/drill-report.dsse.json",
        "--key",
        ".recoverable/keys/drill.pub",
        "--release",
        identity,
        "--json",
      ],
      { cwd: example.dir },
    );
    expect(verified.code, verified.stdout).toBe(0);
  }, 300_000);

  it("proves a store whose writer runs during seal and snapshot: WAL mode, no sidecar in the manifest or the snapshot", async () => {
    const example = copyLiveExample();
    const writer = spawn(process.execPath, ["writer.mjs", "--follow"], {
      cwd: example.dir,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => writer.once("exit", resolve));
    const wal = example.path(`store/${DATABASE}-wal`);
    try {
      for (let waited = 0; !existsSync(wal) && waited < 10_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      const before = rowsOf(example.path(`store/${DATABASE}`), "interactions");
      seal(example);
      const manifest = JSON.parse(
        readFileSync(example.path("ops/release/evidence/manifest.json"), "utf8"),
      ) as Manifest;
      expect(
        manifest.artifacts.map((a) => a.path).filter((p) => /-(wal|shm|journal)$/.test(p)),
      ).toEqual([]);
      expect(manifest.artifacts.find((a) => a.path === DATABASE)?.level).toBe("schema");
      const taken = example.cli(["snapshot", "--repo", "backups/snapshots"]);
      expect(taken.code, taken.stdout).toBe(0);
      // The writer was writing all along, in WAL mode.
      expect(existsSync(wal)).toBe(true);
      expect(rowsOf(example.path(`store/${DATABASE}`), "interactions")).toBeGreaterThan(before);
      const metadata = JSON.parse(
        readFileSync(
          example.path(`backups/snapshots/snapshots/${String(taken.json()["snapshotId"])}.json`),
          "utf8",
        ),
      ) as Snapshot;
      expect(
        metadata.entries.map((e) => e.path).filter((p) => /-(wal|shm|journal)$/.test(p)),
      ).toEqual([]);
      expect(metadata.entries.find((e) => e.path === DATABASE)?.sqlite?.method).toBe("backup-api");
    } finally {
      writer.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    const drill = example.cli([
      "drill",
      "--source",
      "snapshot:backups/snapshots#latest",
      "--out",
      "drill",
    ]);
    expect(drill.code, drill.stdout).toBe(0);
    const check = example.report("drill").checks.find((c) => c.name === DATABASE);
    expect(check).toMatchObject({ status: "passed", level: "schema", pinnedBy: "backup record" });
  }, 300_000);
});

describe("a backup of the live-data example that lost something", () => {
  let example: LiveExample;
  let snapshotId: string;
  beforeAll(() => {
    example = copyLiveExample();
    seal(example);
    example.script("writer.mjs");
    const taken = example.cli(["snapshot", "--repo", "backups/snapshots"]);
    expect(taken.code, taken.stdout).toBe(0);
    snapshotId = String(taken.json()["snapshotId"]);
  }, 120_000);

  it("restores the night's snapshot into a new target: the release's shape, the snapshot's bytes", () => {
    const target = join(makeTempDir(), "restored");
    const run = example.cli([
      "restore",
      "--source",
      "snapshot:backups/snapshots#latest",
      "--target",
      target,
    ]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.json()["resolved"]).toBe(`snapshot ${snapshotId}`);
    expect(rowsOf(join(target, DATABASE), "interactions")).toBe(910);
    expect(existsSync(join(target, "logs"))).toBe(false);
  });

  /** A copy of today's store with one thing changed, snapshotted into its own repository. */
  function brokenSnapshot(change: (store: string) => void): string {
    const copy = join(makeTempDir(), "store");
    cpSync(example.path("store"), copy, { recursive: true });
    change(copy);
    const repo = join(makeTempDir(), "repo");
    const taken = example.cli(["snapshot", "--root", copy, "--repo", repo]);
    expect(taken.code, taken.stdout).toBe(0);
    return `snapshot:${repo}#latest`;
  }

  const inDatabase = (sql: string) => (store: string) => {
    const db = new Database(join(store, DATABASE));
    db.exec(sql);
    db.close();
  };

  /** Drills `source`: exit 1, a signed not_proven report, and the findings. */
  function drillFails(source: string) {
    const out = join(makeTempDir(), "out");
    const run = example.cli(["drill", "--source", source, "--out", out]);
    expect(run.code, run.stdout).toBe(1);
    expect(run.json().verdict).toBe("not_proven");
    const report = JSON.parse(readFileSync(join(out, "drill-report.json"), "utf8")) as {
      verdict: string;
    };
    expect(report.verdict).toBe("not_proven");
    expect(existsSync(join(out, "drill-report.dsse.json"))).toBe(true);
    return run.json();
  }

  it("fails a dropped column with schema_mismatch naming the table and the column", () => {
    const result = drillFails(
      brokenSnapshot(inDatabase("ALTER TABLE interactions DROP COLUMN response")),
    );
    expect(result).toHaveFinding("schema_mismatch", DATABASE);
    const finding = result.findings.find((f) => f.code === "schema_mismatch");
    expect(finding?.message).toContain("column interactions.response");
    expect(finding?.expected).toBe("column interactions.response: TEXT");
    expect(finding?.actual).toBe("column interactions.response: absent");
  });

  it("fails a missing table with schema_mismatch naming it", () => {
    const result = drillFails(brokenSnapshot(inDatabase("DROP TABLE source_chunks")));
    const messages = result.findings
      .filter((f) => f.code === "schema_mismatch")
      .map((f) => f.message);
    expect(messages).toContain(`${DATABASE}: table source_chunks (sealed: 4 columns) is missing`);
  });

  it("fails an emptied table with rows_below_bound", () => {
    const result = drillFails(brokenSnapshot(inDatabase("DELETE FROM interactions")));
    expect(result).toHaveFinding("rows_below_bound", DATABASE);
    expect(result.findings.find((f) => f.code === "rows_below_bound")?.message).toContain(
      "table interactions holds 0 rows",
    );
  });

  it("fails a missing vector-index directory with artifact_missing", () => {
    const result = drillFails(
      brokenSnapshot((store) => {
        rmSync(join(store, "data/chroma"), { recursive: true });
      }),
    );
    expect(result).toHaveFinding("artifact_missing", "data/chroma");
  });

  it("fails a database with a corrupt page with the integrity finding", () => {
    const copy = join(makeTempDir(), "store");
    cpSync(example.path("store"), copy, { recursive: true });
    const file = join(copy, DATABASE);
    const bytes = readFileSync(file);
    bytes.fill(0xa5, 2 * 4096 + 8, 3 * 4096); // page 3: a b-tree page of a table
    writeFileSync(file, bytes);
    const result = drillFails(`dir:${copy}`);
    expect(result).toHaveFinding("sqlite_integrity_check_failed", DATABASE);
  });

  it("catches one flipped byte in the snapshot's copy of a present artifact against its record, naming the file", () => {
    const metadata = JSON.parse(
      readFileSync(example.path(`backups/snapshots/snapshots/${snapshotId}.json`), "utf8"),
    ) as Snapshot;
    const digest = metadata.entries.find((e) => e.path === SEGMENT)?.digest?.sha256 ?? "";
    const repo = join(makeTempDir(), "repo");
    cpSync(example.path("backups/snapshots"), repo, { recursive: true });
    const blob = join(repo, "blobs", digest.slice(0, 2), digest);
    chmodSync(blob, 0o644);
    const bytes = readFileSync(blob);
    bytes[100] = (bytes[100] ?? 0) ^ 0x01;
    writeFileSync(blob, bytes);
    const result = drillFails(`snapshot:${repo}#${snapshotId}`);
    expect(result).toHaveFinding("artifact_hash_mismatch", SEGMENT);
    expect(result.findings.find((f) => f.code === "artifact_hash_mismatch")?.message).toContain(
      `snapshot ${snapshotId}`,
    );
  });
});
