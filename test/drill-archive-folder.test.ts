// drill without --source, when the drill config's authoritative backup is a folder of dated
// archives (ChromaDB's and Avalanche's nightly tar.gz, issue 19): it drills the newest archive,
// dated by the pattern in the names, and says which one in the signed report.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, utimesSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCLI } from "./helpers/cli.js";
import { copyExample, type ExampleCopy } from "./helpers/example-copy.js";

const FOLDER = "backups/atlas";

/** A tar.gz of the example store named for `stamp`, without `leaveOut` when given. */
function archive(example: ExampleCopy, stamp: string, mtime: Date, leaveOut?: string): string {
  const file = example.path(`${FOLDER}/atlas_${stamp}.tar.gz`);
  const exclude = leaveOut === undefined ? [] : ["--exclude", `./${leaveOut}`];
  execFileSync("tar", ["-czf", file, ...exclude, "-C", example.path("ops/store"), "."]);
  utimesSync(file, mtime, mtime);
  return file;
}

function archivesBackup(example: ExampleCopy): void {
  mkdirSync(example.path(FOLDER), { recursive: true });
  example.editDrillConfig((config) => {
    config["backups"] = [
      {
        name: "nightly archives",
        archives: { dir: FOLDER, glob: "atlas_*.tar.gz", datePattern: "atlas_%Y%m%d_%H%M%S" },
        authoritative: true,
      },
    ];
  });
}

describe("drill of a configured folder of archives", () => {
  it("drills the newest archive by the date in its name, whatever the mtimes say, and names it in the report", () => {
    const example = copyExample();
    archivesBackup(example);
    const now = Date.now();
    // The older archives lack a dataset, and have the newer mtimes: only the name dates them.
    archive(example, "20261205_020000", new Date(now), "datasets/airports.sqlite");
    archive(example, "20261206_020000", new Date(now - 60_000), "datasets/airports.sqlite");
    const newest = archive(example, "20261207_020000", new Date(now - 120_000));

    const run = runCLI(["drill", "--out", "out", "--json"], { cwd: example.dir });
    expect(run.code, run.stdout).toBe(0);
    expect(run.json().findings.filter((f) => f.severity === "error")).toEqual([]);
    const report = JSON.parse(readFileSync(example.path("out/drill-report.json"), "utf8")) as {
      source: { text: string };
    };
    expect(report.source.text).toBe(`tar:${newest}`);
  });

  it("fails with the newest archive when it is the damaged one: no older archive is drilled instead (exit 1)", () => {
    const example = copyExample();
    archivesBackup(example);
    const now = new Date();
    archive(example, "20261206_020000", now);
    archive(example, "20261207_020000", now, "datasets/airports.sqlite");
    const run = runCLI(["drill", "--out", "out", "--json"], { cwd: example.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.json()).toHaveFinding("artifact_missing", "datasets/airports.sqlite");
  });

  it("says so when the folder holds no archive: source_unreadable naming the backup (exit 1)", () => {
    const example = copyExample();
    archivesBackup(example);
    const run = runCLI(["drill", "--out", "out", "--json"], { cwd: example.dir });
    expect(run.code, run.stdout).toBe(1);
    expect(run.json()).toHaveFinding("source_unreadable", 'backup "nightly archives"');
    expect(run.json().findings[0]?.message).toContain("matches atlas_*.tar.gz");
  });
});
