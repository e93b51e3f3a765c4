// A folder of dated archives (ChromaDB's chromadb_backup_YYYYMMDD_HHMMSS.tar.gz, Avalanche's
// database_YYYYMMDD_HHMMSS.sql.gz): the regular files of one folder whose names match a glob,
// each dated by a strftime-like pattern in its name, or by its mtime when no pattern is given.
// Only reads: listing, lstat. Never recurses; symbolic links are not archives.
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import picomatch from "picomatch";

export type DatedArchive = {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** The date its name gives (UTC), its mtime without a pattern, or null when its name has none. */
  readonly time: Date | null;
  readonly datedBy: "name" | "mtime" | null;
};

export type ArchiveSelection = {
  readonly dir: string;
  readonly glob: string;
  /** A date pattern (compileDatePattern), or null to date each archive by its mtime. */
  readonly datePattern: string | null;
};

const FIELDS = {
  Y: { digits: 4, group: "year" },
  m: { digits: 2, group: "month" },
  d: { digits: 2, group: "day" },
  H: { digits: 2, group: "hour" },
  M: { digits: 2, group: "minute" },
  S: { digits: 2, group: "second" },
} as const;

type Field = keyof typeof FIELDS;

/**
 * `chromadb_backup_%Y%m%d_%H%M%S` as a regular expression found anywhere in a file name: %Y is
 * four digits, %m %d %H %M %S two each, %% a percent sign, anything else itself. %Y, %m and %d
 * are required; the time of day defaults to midnight UTC. A string says what is wrong.
 */
export function compileDatePattern(pattern: string): RegExp | string {
  let source = "";
  const seen = new Set<Field>();
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern.charAt(i);
    if (char !== "%") {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      continue;
    }
    const next = pattern.charAt(++i);
    if (next === "%") {
      source += "%";
      continue;
    }
    if (!(next in FIELDS)) return `%${next} is not a field; use %Y %m %d %H %M %S (or %% for %)`;
    const field = next as Field;
    if (seen.has(field)) return `%${field} appears twice`;
    seen.add(field);
    source += `(?<${FIELDS[field].group}>\\d{${FIELDS[field].digits}})`;
  }
  const lacking = (["Y", "m", "d"] as const).filter((f) => !seen.has(f));
  if (lacking.length > 0) return `it has no ${lacking.map((f) => `%${f}`).join(", ")}`;
  return new RegExp(source);
}

/** The UTC date a compiled pattern finds in a name; null when it finds none or an impossible one. */
export function dateInName(name: string, pattern: RegExp): Date | null {
  const groups = pattern.exec(name)?.groups;
  if (groups === undefined) return null;
  const n = (key: string) => Number(groups[key] ?? "0");
  const [year, month, day, hour, minute, second] = [
    n("year"),
    n("month"),
    n("day"),
    n("hour"),
    n("minute"),
    n("second"),
  ];
  const time = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const same =
    time.getUTCFullYear() === year &&
    time.getUTCMonth() === month - 1 &&
    time.getUTCDate() === day &&
    time.getUTCHours() === hour &&
    time.getUTCMinutes() === minute &&
    time.getUTCSeconds() === second;
  return same ? time : null;
}

/**
 * The archives of a folder, newest first (undated last, by name). Throws the file system's error
 * (ENOENT, ENOTDIR, EACCES) for the caller to name; a bad pattern is the caller's to refuse first.
 */
export async function listArchives(selection: ArchiveSelection): Promise<DatedArchive[]> {
  const pattern = selection.datePattern === null ? null : compileDatePattern(selection.datePattern);
  if (typeof pattern === "string") throw new Error(`date pattern: ${pattern}`);
  const matches = picomatch(selection.glob, { dot: false });
  const archives: DatedArchive[] = [];
  for await (const entry of await opendir(selection.dir)) {
    if (!entry.isFile() || !matches(entry.name)) continue;
    const path = join(selection.dir, entry.name);
    const stats = await lstat(path).catch(() => null);
    if (stats === null || !stats.isFile()) continue;
    const time = pattern === null ? stats.mtime : dateInName(entry.name, pattern);
    const datedBy = pattern === null ? "mtime" : time === null ? null : "name";
    archives.push({ name: entry.name, path, size: stats.size, time, datedBy });
  }
  return archives.sort(
    (a, b) =>
      (b.time?.getTime() ?? -Infinity) - (a.time?.getTime() ?? -Infinity) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
