// verify never changes or creates a file in the store root: not for a WAL-mode database, not
// for a database with a leftover journal beside it.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createUnsealedStore, type FixtureStore } from "./helpers/fixture-store.js";
import { runCLI } from "./helpers/cli.js";

function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = statSync(path);
    out.set(
      path,
      entry.isFile()
        ? `${info.size}:${info.mtimeMs}:${readFileSync(path).toString("base64")}`
        : "dir",
    );
  }
  return out;
}

function seal(fixture: FixtureStore): void {
  const run = runCLI(["seal", "--json", "--release-id", "r", "--release-version", "1.0.0"], {
    cwd: fixture.dir,
  });
  expect(run.code).toBe(0);
}

describe("verify is read-only", () => {
  it("creates no -wal or -shm file for a WAL-mode database and changes no byte", () => {
    const fixture = createUnsealedStore();
    const db = new Database(fixture.path("datasets/live.sqlite"));
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);");
    db.close(); // checkpoints and removes -wal and -shm; the header stays in WAL mode
    expect(readFileSync(fixture.path("datasets/live.sqlite"))[18]).toBe(2);
    seal(fixture);
    const before = snapshotTree(fixture.store);
    const run = runCLI(["verify", "--json", "--strict"], { cwd: fixture.dir });
    expect(run.code).toBe(0);
    expect(snapshotTree(fixture.store)).toEqual(before);
  });

  it("does not roll back or delete a journal left beside a database", () => {
    const fixture = createUnsealedStore();
    seal(fixture);
    writeFileSync(fixture.path("datasets/places.sqlite-journal"), Buffer.alloc(512, 7));
    const before = snapshotTree(fixture.store);
    const run = runCLI(["verify", "--json"], { cwd: fixture.dir });
    expect(run.json()).toHaveFinding("unexpected_artifact", "datasets/places.sqlite-journal");
    expect(run.json().findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(snapshotTree(fixture.store)).toEqual(before);
  });
});
