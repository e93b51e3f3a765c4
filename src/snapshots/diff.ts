// What changed in a live store root since a snapshot: files added, removed and modified, and for
// SQLite databases which tables changed and by how many rows. The question an on-call engineer
// asks before rolling back: "what will I lose?"
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnapshotEntry, SnapshotMetadata } from "../documents/types.js";
import { digestFile } from "../store/file-digest.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { digestTables } from "../store/sqlite-inspect.js";
import type { TableDigest } from "../store/sqlite-content.js";
import { walkStore } from "../store/walk-store.js";
import { readHead } from "../util/read-head.js";
import { copySQLiteConsistently, SQLITE_SIDECARS } from "./copy-sqlite.js";
import { blobPath, type Repository } from "./repository.js";
import { createOmitter } from "./omitted.js";

export type TableChange = {
  readonly name: string;
  /** null when the table does not exist on that side. */
  readonly rowsBefore: number | null;
  readonly rowsAfter: number | null;
  readonly rowDelta: number;
};

type ModifiedFile = {
  readonly path: string;
  readonly tables?: readonly TableChange[];
  readonly note?: string;
};

/** The `changes` of DESIGN.md: added, removed and modified paths, and changed SQLite tables. */
export type SnapshotChanges = {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly string[];
  /** For each modified SQLite database: the tables whose rows differ (in count or content). */
  readonly tables: Readonly<Record<string, readonly TableChange[]>>;
  /** Why a modified path has no table list: it changed kind, or a side could not be read. */
  readonly notes: Readonly<Record<string, string>>;
  readonly unchanged: number;
};

type FileEntry = Extract<SnapshotEntry, { type: "file" }>;

export async function diffSnapshot(
  repo: Repository,
  snapshot: SnapshotMetadata,
  root: string,
): Promise<SnapshotChanges> {
  const before = new Map(snapshot.entries.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const added: string[] = [];
  const modified: ModifiedFile[] = [];
  let unchanged = 0;
  const databases = new Set<string>();
  // What the snapshot left out by rule (not the store's, disposable) is not a change.
  const omits = createOmitter(snapshot.omitted);
  const omittedDirs: string[] = [];
  for await (const entry of walkStore(root)) {
    if (entry.type !== "file" && entry.type !== "dir") continue;
    if (omittedDirs.some((prefix) => entry.path.startsWith(prefix))) continue;
    if (omits(entry.path)) {
      if (entry.type === "dir") omittedDirs.push(`${entry.path}/`);
      continue;
    }
    // A database's -wal/-shm/-journal are part of it (the snapshot's copy holds their content).
    const suffix = SQLITE_SIDECARS.find((s) => entry.path.endsWith(s));
    if (suffix !== undefined && databases.has(entry.path.slice(0, -suffix.length))) continue;
    if (entry.type === "file" && isSQLiteHeader(await readHead(entry.absolutePath, 100)))
      databases.add(entry.path);
    seen.add(entry.path);
    const old = before.get(entry.path);
    if (!old) {
      added.push(entry.path);
      continue;
    }
    if (old.type !== entry.type) {
      modified.push(kindChange(entry.path, old));
      continue;
    }
    if (old.type === "dir") {
      unchanged++;
      continue;
    }
    const now = await digestFile(entry.absolutePath);
    if (now.size === old.size && now.digest.sha256 === old.digest.sha256) {
      unchanged++;
      continue;
    }
    modified.push(await describeModified(repo, old, entry.absolutePath));
  }
  const removed = snapshot.entries.filter((e) => !seen.has(e.path)).map((e) => e.path);
  const tables: Record<string, readonly TableChange[]> = {};
  const notes: Record<string, string> = {};
  for (const file of modified) {
    if (file.tables) tables[file.path] = file.tables;
    if (file.note !== undefined) notes[file.path] = file.note;
  }
  return { added, removed, modified: modified.map((m) => m.path), tables, notes, unchanged };
}

function kindChange(path: string, old: SnapshotEntry): ModifiedFile {
  return { path, note: `was a ${old.type === "file" ? "file" : "directory"} in the snapshot` };
}

async function describeModified(
  repo: Repository,
  old: FileEntry,
  livePath: string,
): Promise<ModifiedFile> {
  const base = { path: old.path };
  const blob = blobPath(repo, old.digest.sha256);
  const [headBefore, headAfter] = await Promise.all([readHead(blob, 100), readHead(livePath, 100)]);
  if (!isSQLiteHeader(headBefore) || !isSQLiteHeader(headAfter)) return base;
  const [tablesBefore, tablesAfter] = await Promise.all([
    digestTables(blob, headBefore),
    liveTables(livePath),
  ]);
  if ("error" in tablesBefore)
    return { ...base, note: `the snapshot's copy: ${tablesBefore.error}` };
  if ("error" in tablesAfter) return { ...base, note: `the live database: ${tablesAfter.error}` };
  const tables = compareTables(tablesBefore, tablesAfter);
  if (tables.length === 0)
    return {
      ...base,
      note: "the same rows in every table; the bytes differ (page layout, schema or indexes)",
    };
  return { ...base, tables };
}

/**
 * The live database's tables, read from a consistent copy (the same one a snapshot takes), so
 * rows still in a -wal file count and a writer is never disturbed.
 */
async function liveTables(livePath: string): ReturnType<typeof digestTables> {
  const dir = await mkdtemp(join(tmpdir(), "recoverable-diff-"));
  try {
    const copy = join(dir, "live.sqlite");
    await copySQLiteConsistently(livePath, copy);
    return await digestTables(copy, await readHead(copy, 100));
  } catch (error) {
    return { error: (error as Error).message };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Tables added, dropped, or whose rows differ by count or content. */
function compareTables(
  before: readonly TableDigest[],
  after: readonly TableDigest[],
): TableChange[] {
  const old = new Map(before.map((t) => [t.name, t]));
  const now = new Map(after.map((t) => [t.name, t]));
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: TableChange[] = [];
  for (const name of names) {
    const a = old.get(name);
    const b = now.get(name);
    if (a && b && a.sha256 === b.sha256) continue;
    changes.push({
      name,
      rowsBefore: a?.rows ?? null,
      rowsAfter: b?.rows ?? null,
      rowDelta: (b?.rows ?? 0) - (a?.rows ?? 0),
    });
  }
  return changes;
}
