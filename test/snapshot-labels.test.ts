// Metis's procedures on a snapshot repository (issue 19): a snapshot found by its label, as ZFS
// finds dbpool/arangodb@dr_golden_image, and `snapshots diff` against a directory or another
// snapshot, as `zfs diff pool@snap` shows what changed since it. Real stores, the real CLI.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { createFixtureStore, type FixtureStore } from "./helpers/fixture-store.js";

let fixture: FixtureStore;
beforeEach(async () => {
  fixture = await createFixtureStore();
});

const cli = (args: string[], cwd = fixture.dir): CLIRun => runCLI([...args, "--json"], { cwd });

const GOLDEN = "golden-image-phase3";

/** Takes a snapshot of the fixture store with this label; its id. */
function take(label?: string): string {
  const run = cli([
    "snapshot",
    "--root",
    "store",
    "--repo",
    "repo",
    ...(label ? ["--label", label] : []),
  ]);
  expect(run.code, run.stdout).toBeLessThanOrEqual(1);
  return run.json()["snapshotId"] as string;
}

type Changes = {
  added: string[];
  removed: string[];
  modified: string[];
  tables: Record<string, unknown[]>;
  notes: Record<string, string>;
  unchanged: number;
};

describe("snapshot:<repo>#<label>", () => {
  it("restores the newest valid snapshot the label names, skips a newer invalid one, and says which it chose", () => {
    take(GOLDEN);
    writeFileSync(fixture.path("phase.txt"), "phase 3\n");
    const newest = take(GOLDEN);
    take("nightly");
    writeFileSync(fixture.path("summaries/broken.json"), "{");
    const invalid = take(GOLDEN); // failed validation: never the one a label stands for
    expect(cli(["snapshots", "list", "--repo", "repo"]).json()["snapshots"]).toContainEqual(
      expect.objectContaining({ id: invalid, validated: false, label: GOLDEN }),
    );

    const run = cli(["restore", "--source", `snapshot:repo#${GOLDEN}`, "--target", "restored"]);
    expect(run.code, run.stdout).toBe(0);
    expect(run.json()["resolved"]).toBe(
      `snapshot ${newest} (the newest valid of 3 labelled "${GOLDEN}")`,
    );
    expect(readFileSync(join(fixture.dir, "restored", "phase.txt"), "utf8")).toBe("phase 3\n");
    expect(existsSync(join(fixture.dir, "restored", "summaries", "broken.json"))).toBe(false);
  });

  it("takes a label wherever a snapshot id is taken: validate, diff, export", () => {
    const golden = take(GOLDEN);
    take("nightly");
    const chosen = `snapshot ${golden} (the one labelled "${GOLDEN}")`;
    const validate = cli(["snapshots", "validate", GOLDEN, "--repo", "repo"]);
    expect(validate.code).toBe(0);
    expect(validate.json()).toMatchObject({ snapshotId: golden, resolved: chosen });
    const diff = cli(["snapshots", "diff", GOLDEN, "--repo", "repo", "--root", "store"]);
    expect(diff.code).toBe(0);
    expect(diff.json()).toMatchObject({ snapshotId: golden, resolved: chosen });
    const exported = cli(["snapshots", "export", GOLDEN, "--repo", "repo", "--out", "g.tar.gz"]);
    expect(exported.code).toBe(0);
    expect(exported.json()).toMatchObject({ snapshotId: golden, resolved: chosen });
    // An id, a prefix and latest are found as before, and say only the id.
    const latest = cli(["snapshots", "validate", "latest", "--repo", "repo"]).json();
    expect(latest["resolved"]).toBe(`snapshot ${String(latest["snapshotId"])}`);
  });

  it("names the labels there are when a label is unknown: snapshot_not_found (exit 2), source_unreadable as a source (exit 1)", () => {
    take(GOLDEN);
    take("nightly");
    const run = cli(["snapshots", "validate", "golden-image-phase4", "--repo", "repo"]);
    expect(run.code).toBe(2);
    expect(run.json()).toHaveFinding("snapshot_not_found", "golden-image-phase4");
    const message = run.json().findings[0]?.message ?? "";
    expect(message).toContain("no snapshot with the id or label golden-image-phase4");
    expect(message).toContain(`"${GOLDEN}"`);
    expect(message).toContain('"nightly"');

    const restore = cli([
      "restore",
      "--source",
      "snapshot:repo#golden-image-phase4",
      "--target",
      "restored",
    ]);
    expect(restore.code).toBe(1);
    expect(restore.json()).toHaveFinding("source_unreadable", "snapshot:repo#golden-image-phase4");
    expect(restore.json().findings[0]?.message).toContain(`its labels: "nightly", "${GOLDEN}"`);
    expect(existsSync(join(fixture.dir, "restored"))).toBe(false);
  });

  it("drills from snapshot:<repo>#<label> and records the snapshot it chose in the report", () => {
    const example = copyExample();
    const at = (args: string[]) => runCLI([...args, "--json"], { cwd: example.dir });
    const taken = at(["snapshot", "--repo", "backups", "--label", GOLDEN]);
    expect(taken.code).toBe(0);
    const run = at(["drill", "--source", `snapshot:backups#${GOLDEN}`, "--out", "out"]);
    expect(run.code, run.stdout).toBe(0);
    const report = JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as {
      source: { resolved: string };
    };
    expect(report.source.resolved).toBe(
      `snapshot ${String(taken.json()["snapshotId"])} (the one labelled "${GOLDEN}")`,
    );
  });
});

describe("snapshots diff <snapshot> [dir:<path> | <snapshot>]", () => {
  it("compares a snapshot with a directory given as dir:<path>, as zfs diff compares a snapshot with the live file system", () => {
    const golden = take(GOLDEN);
    cpSync(fixture.store, join(fixture.dir, "copy"), { recursive: true });
    const copy = (path: string) => join(fixture.dir, "copy", ...path.split("/"));
    writeFileSync(copy("added.txt"), "new\n");
    rmSync(copy("README.txt"));
    const db = new Database(copy("datasets/places.sqlite"));
    db.exec("DELETE FROM Places WHERE id <= 20");
    db.close();

    const run = cli(["snapshots", "diff", GOLDEN, "dir:copy", "--repo", "repo"]);
    expect(run.code, run.stdout).toBe(0);
    const result = run.json();
    expect(result).toMatchObject({
      snapshotId: golden,
      storeRoot: "copy",
      against: "dir:copy",
      findings: [],
    });
    const changes = result["changes"] as Changes;
    expect(changes.added).toEqual(["added.txt"]);
    expect(changes.removed).toEqual(["README.txt"]);
    expect(changes.modified).toEqual(["datasets/places.sqlite"]);
    expect(changes.tables["datasets/places.sqlite"]).toEqual([
      { name: "Places", rowsBefore: 200, rowsAfter: 180, rowDelta: -20 },
    ]);

    // The live store root itself did not change: nothing to lose by rolling back to it.
    const live = cli(["snapshots", "diff", `snapshot:repo#${GOLDEN}`, "--root", "store"]);
    expect(live.code).toBe(0);
    expect(live.json()["changes"]).toMatchObject({ added: [], removed: [], modified: [] });
    expect(live.json()["against"]).toBe("dir:store");
  });

  it("compares two snapshots, by id in --repo or as snapshot:<repo>#..., reading the tables from the stored bytes", () => {
    const before = take(GOLDEN);
    const db = new Database(fixture.path("datasets/places.sqlite"));
    db.exec("INSERT INTO Places(id, name) VALUES (1001, 'New place')");
    db.close();
    writeFileSync(fixture.path("added.txt"), "new\n");
    const after = take("after");

    for (const args of [
      [before, after, "--repo", "repo"],
      [`snapshot:repo#${GOLDEN}`, `snapshot:repo#after`],
      [`snapshot:repo#${GOLDEN}`, "after"],
    ]) {
      const run = cli(["snapshots", "diff", ...args]);
      expect(run.code, run.stdout).toBe(0);
      expect(run.json()).toMatchObject({
        snapshotId: before,
        storeRoot: null,
        against: `snapshot:repo#${after}`,
      });
      const changes = run.json()["changes"] as Changes;
      expect(changes.added).toEqual(["added.txt"]);
      expect(changes.removed).toEqual([]);
      expect(changes.modified).toEqual(["datasets/places.sqlite"]);
      expect(changes.tables["datasets/places.sqlite"]).toEqual([
        { name: "Places", rowsBefore: 200, rowsAfter: 201, rowDelta: 1 },
      ]);
    }
  });

  it("refuses what it cannot compare, naming it: usage_invalid (exit 2), a missing directory artifact_missing (exit 1)", () => {
    take(GOLDEN);
    const refused = (args: string[], subject: string) => {
      const run = cli(["snapshots", "diff", ...args]);
      expect(run.code, run.stdout).toBe(2);
      expect(run.json()).toHaveFinding("usage_invalid", subject);
    };
    refused([GOLDEN, "tar:backup.tar.gz", "--repo", "repo"], "tar:backup.tar.gz");
    refused([GOLDEN, "dir:store", "--repo", "repo", "--root", "store"], "--root");
    refused([GOLDEN, "dir:store"], "--repo");
    refused([`snapshot:repo#${GOLDEN}`, "dir:store", "--repo", "repo"], "--repo");
    refused(["dir:store", "dir:copy", "--repo", "repo"], "dir:store");

    const missing = cli(["snapshots", "diff", GOLDEN, "dir:nowhere", "--repo", "repo"]);
    expect(missing.code).toBe(1);
    expect(missing.json()).toHaveFinding("artifact_missing");
    const unknown = cli(["snapshots", "diff", GOLDEN, "phase4", "--repo", "repo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.json()).toHaveFinding("snapshot_not_found", "phase4");
  });
});
