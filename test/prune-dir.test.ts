// snapshots prune --dir on real folders of real tar.gz archives: restic's keep rules, dated by a
// name pattern or by mtime; a dry run unless --apply, which removes exactly what it listed.
import { copyFileSync, existsSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { runCLI, type CLIRun } from "./helpers/cli.js";
import {
  CHROMA_GLOB,
  CHROMA_PATTERN,
  DAY_MS,
  dayAt2,
  writeArchives,
} from "./helpers/archive-folder.js";
import { makeTempDir } from "./helpers/temp-dir.js";

let dir: string;
let folder: string;
beforeEach(() => {
  dir = makeTempDir("recoverable-prune-dir-");
  folder = join(dir, "backups", "chromadb");
});

const run = (args: string[]): CLIRun => runCLI(args, { cwd: dir });
const prune = (...args: string[]): CLIRun =>
  run(["snapshots", "prune", "--json", "--dir", "backups/chromadb", ...args]);
const names = (decisions: unknown): string[] =>
  (decisions as { name: string }[]).map((d) => d.name);

describe("snapshots prune --dir with a date pattern", () => {
  it("keeps the 30 newest days of 40, removes nothing without --apply, then removes exactly the 10 oldest", () => {
    const now = new Date();
    const written = writeArchives(
      folder,
      Array.from({ length: 40 }, (_, i) => dayAt2(now, i)),
    );
    writeFileSync(join(folder, "README.txt"), "not an archive\n");
    const args = ["--glob", CHROMA_GLOB, "--date-pattern", CHROMA_PATTERN, "--keep-daily", "30"];
    const dry = prune(...args);
    expect(dry.code, dry.stdout).toBe(0);
    const plan = dry.json();
    expect(plan["dryRun"]).toBe(true);
    expect(names(plan["kept"])).toEqual(written.slice(0, 30));
    expect(names(plan["removed"])).toEqual(written.slice(30));
    expect((plan["kept"] as { reasons: string[]; datedBy: string }[])[0]).toMatchObject({
      reasons: ["daily snapshot"],
      datedBy: "name",
    });
    expect(readdirSync(folder)).toHaveLength(41);

    const applied = prune(...args, "--apply");
    expect(applied.code, applied.stdout).toBe(0);
    expect(applied.json()["dryRun"]).toBe(false);
    expect(names(applied.json()["removed"])).toEqual(written.slice(30));
    expect(readdirSync(folder).sort()).toEqual([...written.slice(0, 30), "README.txt"].sort());
  });

  it("never removes an archive whose name holds no date, nor the newest one", () => {
    const now = new Date();
    const written = writeArchives(folder, [dayAt2(now, 3), dayAt2(now, 10)]);
    copyFileSync(join(folder, written[0] ?? ""), join(folder, "chromadb_backup_manual.tar.gz"));
    const result = prune(
      "--glob",
      CHROMA_GLOB,
      "--date-pattern",
      CHROMA_PATTERN,
      "--keep-within",
      "1d",
      "--apply",
    );
    expect(result.code, result.stdout).toBe(0);
    expect(result.json()["kept"]).toEqual([
      expect.objectContaining({ name: written[0], reasons: ["within 1d"] }),
      expect.objectContaining({ name: "chromadb_backup_manual.tar.gz", datedBy: null }),
    ]);
    expect(names(result.json()["removed"])).toEqual([written[1]]);
    expect(existsSync(join(folder, "chromadb_backup_manual.tar.gz"))).toBe(true);
  });
});

describe("snapshots prune --dir by mtime", () => {
  it("dates archives by their mtime when no pattern is given", () => {
    const now = Date.now();
    writeArchives(folder, [new Date(now)]);
    const [template] = readdirSync(folder);
    for (const [index, name] of ["a.tar.gz", "b.tar.gz", "c.tar.gz"].entries()) {
      copyFileSync(join(folder, template ?? ""), join(folder, name));
      const time = new Date(now - (index + 1) * 2 * DAY_MS);
      utimesSync(join(folder, name), time, time);
    }
    const result = prune("--glob", "*.tar.gz", "--keep-last", "2", "--apply");
    expect(result.code, result.stdout).toBe(0);
    expect(names(result.json()["kept"])).toEqual([template, "a.tar.gz"]);
    expect(names(result.json()["removed"])).toEqual(["b.tar.gz", "c.tar.gz"]);
    expect(readdirSync(folder).sort()).toEqual(["a.tar.gz", template].sort());
  });
});

describe("snapshots prune --dir refuses what it cannot mean", () => {
  it("exits 2 without --glob, for a pattern without a day, with --apply and --dry-run, and for a missing folder", () => {
    writeArchives(folder, [new Date()]);
    const noGlob = prune("--keep-last", "1");
    expect(noGlob.code).toBe(2);
    expect(noGlob.json()).toHaveFinding("usage_invalid", "--glob");
    const pattern = prune("--glob", "*", "--date-pattern", "backup_%Y%m", "--keep-last", "1");
    expect(pattern.code).toBe(2);
    expect(pattern.json()).toHaveFinding("usage_invalid", "--date-pattern");
    const both = prune("--glob", "*", "--keep-last", "1", "--apply", "--dry-run");
    expect(both.code).toBe(2);
    expect(both.json()).toHaveFinding("usage_invalid", "--apply");
    const missing = run([
      "snapshots",
      "prune",
      "--json",
      "--dir",
      "nowhere",
      "--glob",
      "*",
      "--keep-last",
      "1",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.json()).toHaveFinding("usage_invalid", "--dir");
    expect(readdirSync(folder)).toHaveLength(1);
  });

  it("exits 2 for --repo with --dir, for neither, and for --apply with --repo (a repo prune removes unless --dry-run)", () => {
    for (const args of [
      ["--repo", "r", "--dir", "d", "--glob", "*"],
      ["--keep-last", "1"],
      ["--repo", "r", "--apply", "--keep-last", "1"],
    ]) {
      const result = run(["snapshots", "prune", "--json", ...args]);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.json()).toHaveFinding("usage_invalid");
    }
  });
});
