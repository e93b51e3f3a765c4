// Which entries of a store root seal describes: everything, except what is not the store's
// (`exclude`), what SQLite keeps beside a database (its -wal, -shm and -journal: part of the
// database's consistent state, never artifacts of their own), and what is inside a live
// directory (one artifact, whatever it holds). Symlinks and special files are refused wherever
// they are: a store root that cannot be restored as it is cannot be sealed.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { isLiveDirectory, sealedLevelOf } from "../store/identity-levels.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { checkStorePath } from "../documents/store-path.js";
import { entryTypeAt, walkStore, type StoreEntry } from "../store/walk-store.js";
import { readHead } from "../util/read-head.js";
import { SQLITE_SIDECARS } from "../snapshots/copy-sqlite.js";
import type { SealRules } from "./seal-rules.js";

const under = (prefixes: readonly string[], path: string) =>
  prefixes.some((prefix) => path.startsWith(prefix));

/**
 * The entries seal describes, in the walk's order, one at a time; what is refused is pushed to
 * `findings` as it is met. Memory holds the excluded and live directories, never the entries.
 */
export async function* selectEntries(
  root: string,
  rules: SealRules,
  findings: ClassifiedFinding[],
): AsyncGenerator<StoreEntry> {
  const excluded: string[] = [];
  const live: string[] = [];
  for await (const entry of walkStore(root)) {
    if (under(excluded, entry.path)) continue;
    if (rules.isExcluded(entry.path)) {
      if (entry.type === "dir") excluded.push(`${entry.path}/`);
      continue;
    }
    const refusal = refusalOf(entry);
    if (refusal) findings.push(refusal);
    else if (!under(live, entry.path)) {
      if (entry.type === "dir" && isLiveDir(entry, rules)) live.push(`${entry.path}/`);
      if (!(await isSidecar(entry, rules))) yield entry;
    }
  }
}

function isLiveDir(entry: StoreEntry, rules: SealRules): boolean {
  const level = sealedLevelOf("dir", rules.levelRuleOf(entry.path)?.rule.level ?? null, "bytes");
  return level !== "bytes" && isLiveDirectory({ kind: "dir", level });
}

/**
 * A -wal, -shm or -journal file whose database is selected too. The database is in the same
 * directory and sorts before it, so it was selected exactly when it is a regular file that is
 * neither excluded nor refused for its name (the directory's exclusions and live directories
 * are the sidecar's own): that is asked of the database here rather than remembered of every
 * file walked.
 */
async function isSidecar(entry: StoreEntry, rules: SealRules): Promise<boolean> {
  if (entry.type !== "file") return false;
  const suffix = SQLITE_SIDECARS.find((s) => entry.path.endsWith(s));
  if (suffix === undefined) return false;
  const path = entry.path.slice(0, -suffix.length);
  const absolutePath = entry.absolutePath.slice(0, -suffix.length);
  if (path === "" || path.endsWith("/") || rules.isExcluded(path)) return false;
  if (checkStorePath(path) !== null || (await entryTypeAt(absolutePath)) !== "file") return false;
  return isSQLiteHeader(await readHead(absolutePath, 100));
}

function refusalOf(entry: StoreEntry): ClassifiedFinding | null {
  if (entry.type === "symlink") {
    return createFinding("path_escapes_root", {
      subject: entry.path,
      actual: "symlink",
      message: `${entry.path}: is a symlink; a store root to seal must hold only regular files and directories`,
      hint: "Replace the symlink with the file it points to, or move it out of the store root.",
    });
  }
  if (entry.type === "other") {
    return createFinding("unexpected_artifact", {
      subject: entry.path,
      actual: "special file",
      message: `${entry.path}: is a FIFO, socket or device; it cannot be sealed or restored`,
      hint: "Move it out of the store root and seal again.",
    });
  }
  const problem = checkStorePath(entry.path);
  if (problem) {
    return createFinding("unexpected_artifact", {
      subject: entry.path,
      actual: entry.path,
      message: `${JSON.stringify(entry.path)}: the name ${problem.reason}, so it cannot be named in a manifest`,
      hint: "Rename the file (NFC, no backslash) and seal again.",
    });
  }
  return null;
}
