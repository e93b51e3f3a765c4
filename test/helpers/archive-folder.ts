// Folders of dated archives, as ChromaDB's backup script leaves them: real tar.gz files (made by
// tar from a small directory) named chromadb_backup_YYYYMMDD_HHMMSS.tar.gz, with mtimes set to
// the time in their names, so either way of dating them agrees.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "./temp-dir.js";

export const DAY_MS = 86_400_000;
export const CHROMA_GLOB = "chromadb_backup_*.tar.gz";
export const CHROMA_PATTERN = "chromadb_backup_%Y%m%d_%H%M%S";

/** chromadb_backup_20261207_020000.tar.gz for 2026-12-07T02:00:00Z. */
export function chromaName(time: Date): string {
  const iso = time.toISOString();
  return `chromadb_backup_${iso.slice(0, 10).replace(/-/g, "")}_${iso.slice(11, 19).replace(/:/g, "")}.tar.gz`;
}

/** 02:00 UTC on the day `daysAgo` days before `now`. */
export function dayAt2(now: Date, daysAgo: number): Date {
  const day = new Date(now.getTime() - daysAgo * DAY_MS);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 2));
}

let template: string | null = null;

/** One real tar.gz of a tiny Chroma-like directory, made once per test file. */
function templateArchive(): string {
  if (template !== null) return template;
  const dir = makeTempDir("recoverable-archive-template-");
  mkdirSync(join(dir, "chroma"));
  writeFileSync(join(dir, "chroma", "chroma.sqlite3.txt"), "a vector store, for the test\n");
  const file = join(dir, "template.tar.gz");
  const tar = spawnSync("tar", ["-C", dir, "-czf", file, "chroma"]);
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  template = file;
  return file;
}

/** Writes one archive per time into `folder` (made if needed); returns their names. */
export function writeArchives(folder: string, times: readonly Date[]): string[] {
  mkdirSync(folder, { recursive: true });
  return times.map((time) => {
    const name = chromaName(time);
    copyFileSync(templateArchive(), join(folder, name));
    utimesSync(join(folder, name), time, time);
    return name;
  });
}
