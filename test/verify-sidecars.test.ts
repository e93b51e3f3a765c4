// A -wal or hot -journal beside a sealed database is part of what SQLite reads: verify, restore
// and drill judge the database as SQLite reads it, and verify still changes nothing on disk.
import { execFileSync } from "node:child_process";
import { existsSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import { copyExample } from "./helpers/example-copy.js";
import { createFixtureStore } from "./helpers/fixture-store.js";
import {
  bytesAfter,
  sqliteFiles,
  writeHotJournal,
  writeUncheckpointedWAL,
} from "./helpers/sqlite-sidecars.js";

const PLACES = "datasets/places.sqlite";
const SEVEN_MORE = `INSERT INTO Places (id, name) VALUES
  (1001, 'a'), (1002, 'b'), (1003, 'c'), (1004, 'd'), (1005, 'e'), (1006, 'f'), (1007, 'g')`;

/** The run's result, with the contract every case keeps: one JSON object, the real exit code. */
function expectExit(run: CLIRun, code: number): ReturnType<CLIRun["json"]> {
  expect(run.code, run.stdout + run.stderr).toBe(code);
  const result = run.json();
  expect(result.exitCode).toBe(code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return result;
}

function contentFinding(result: ReturnType<CLIRun["json"]>, subject: string) {
  const finding = result.findings.find(
    (f) => f.code === "sqlite_content_mismatch" && f.subject === subject,
  );
  expect(finding, JSON.stringify(result.findings)).toBeDefined();
  return finding;
}

describe("verify, when a sidecar beside a sealed database changes what SQLite reads", () => {
  it("fails (exit 1, sqlite_content_mismatch) for an uncheckpointed -wal, and changes no file or mtime", async () => {
    const fixture = await createFixtureStore();
    const db = fixture.path(PLACES);
    writeUncheckpointedWAL(db, SEVEN_MORE, true);
    const before = sqliteFiles(db);
    expect(Object.keys(before)).toEqual(["main", "-wal", "-shm"]);
    const result = expectExit(runCLI(["verify", "--json"], { cwd: fixture.dir }), 1);
    const finding = contentFinding(result, PLACES);
    expect(finding?.message).toContain("the -wal beside it changes what SQLite reads");
    expect(finding?.message).toContain("Places: 200 rows expected, 207 found");
    expect(sqliteFiles(db)).toEqual(before);
  });

  it("fails (exit 1) for a hot -journal that would roll the database back, and rolls nothing back", async () => {
    const fixture = await createFixtureStore();
    const db = fixture.path(PLACES);
    writeHotJournal(db, bytesAfter(db, "DELETE FROM Places WHERE id > 193"));
    const before = sqliteFiles(db);
    const result = expectExit(runCLI(["verify", "--json"], { cwd: fixture.dir }), 1);
    const finding = contentFinding(result, PLACES);
    expect(finding?.message).toContain("the -journal beside it changes what SQLite reads");
    expect(finding?.message).toContain("Places: 200 rows expected, 193 found");
    expect(sqliteFiles(db)).toEqual(before);
  });

  it("still proves a database whose -wal changes nothing SQLite reads, with the stray -wal a warning", async () => {
    const fixture = await createFixtureStore();
    const db = fixture.path(PLACES);
    writeUncheckpointedWAL(db, "UPDATE Places SET name = name WHERE id = 1");
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
    const result = expectExit(runCLI(["verify", "--json"], { cwd: fixture.dir }), 0);
    expect(result.findings.map((f) => `${f.severity} ${f.code} ${f.subject}`)).toEqual([
      `warning unexpected_artifact ${PLACES}-wal`,
    ]);
  });

  it("fails (exit 1) when the -wal is a symlink, which is never followed", async () => {
    const fixture = await createFixtureStore();
    const db = fixture.path(PLACES);
    symlinkSync("/etc/hostname", `${db}-wal`);
    const result = expectExit(runCLI(["verify", "--json"], { cwd: fixture.dir }), 1);
    const finding = result.findings.find((f) => f.subject === PLACES);
    expect(finding?.code).toBe("sqlite_integrity_check_failed");
    expect(finding?.message).toMatch(/-wal beside it is a symlink/);
  });
});

describe("restore and drill of a backup whose database has a -wal that changes it", () => {
  it("restore is not proven (exit 1) and swaps nothing in", async () => {
    const fixture = await createFixtureStore();
    writeUncheckpointedWAL(fixture.path(PLACES), SEVEN_MORE);
    execFileSync("tar", ["-C", fixture.store, "-cf", join(fixture.dir, "backup.tar"), "."]);
    const run = runCLI(
      ["restore", "--json", "--source", "tar:backup.tar", "--target", "restored"],
      { cwd: fixture.dir },
    );
    const result = expectExit(run, 1);
    expect(contentFinding(result, PLACES)?.message).toContain("207 found");
    expect(existsSync(join(fixture.dir, "restored"))).toBe(false);
  });

  it("drill is not proven (exit 1)", () => {
    const example = copyExample();
    const cities = example.path("ops/store/datasets/cities.sqlite");
    writeUncheckpointedWAL(cities, "DELETE FROM cities WHERE id > 2990");
    execFileSync("tar", ["-C", example.path("ops/store"), "-czf", "backup.tgz", "."], {
      cwd: example.dir,
    });
    const run = runCLI(["drill", "--json", "--out", "out", "--source", "tar:backup.tgz"], {
      cwd: example.dir,
    });
    const result = expectExit(run, 1);
    expect(contentFinding(result, "datasets/cities.sqlite")?.message).toContain(
      "cities: 3000 rows expected, 2990 found",
    );
  });
});
