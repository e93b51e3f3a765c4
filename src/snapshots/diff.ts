// What changed in a live store root since a snapshot: files added, removed and modified, and for
// SQLite databases which tables changed and by how many rows. The question an on-call engineer
// asks before rolling back: "what will I lose?"
import type { SnapshotEntry, SnapshotMetadata } from "../documents/types.js";
import { digestFile } from "../store/file-digest.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { digestTables } from "../store/sqlite-inspect.js";
import type { TableDigest } from "../store/sqlite-content.js";
import { walkStore } from "../store/walk-store.js";
import { readHead } from "../util/read-head.js";
import { blobPath, type Repository } from "./repository.js";

export type TableChange = {
  readonly name: string;
  /** null when the table does not exist on that side. */
  readonly rowsBefore: number | null;
  readonly rowsAfter: number | null;
  readonly rowDelta: number;
};

export type ModifiedFile = {
  readonly path: string;
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  /** SQLite on both sides: the tables whose rows differ (same counts can still differ in content). */
  readonly tables?: readonly TableChange[];
  /** Set when a database could not be read on one side. */
  readonly tablesError?: string;
};

export type SnapshotChanges = {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly ModifiedFile[];
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
  for await (const entry of walkStore(root)) {
    if (entry.type !== "file" && entry.type !== "dir") continue;
    seen.add(entry.path);
    const old = before.get(entry.path);
    if (!old || old.type !== entry.type) {
      added.push(entry.path);
      if (old) modified.push(kindChange(entry.path, old));
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
    modified.push(await describeModified(repo, old, entry.absolutePath, now.size));
  }
  const removed = snapshot.entries.filter((e) => !seen.has(e.path)).map((e) => e.path);
  return { added, removed, modified, unchanged };
}

function kindChange(path: string, old: SnapshotEntry): ModifiedFile {
  return {
    path,
    sizeBefore: old.type === "file" ? old.size : 0,
    sizeAfter: 0,
    tablesError: `was a ${old.type === "file" ? "file" : "directory"} in the snapshot`,
  };
}

async function describeModified(
  repo: Repository,
  old: FileEntry,
  livePath: string,
  sizeAfter: number,
): Promise<ModifiedFile> {
  const base = { path: old.path, sizeBefore: old.size, sizeAfter };
  const blob = blobPath(repo, old.digest.sha256);
  const [headBefore, headAfter] = await Promise.all([readHead(blob, 100), readHead(livePath, 100)]);
  if (!isSQLiteHeader(headBefore) || !isSQLiteHeader(headAfter)) return base;
  const [tablesBefore, tablesAfter] = await Promise.all([
    digestTables(blob, headBefore),
    digestTables(livePath, headAfter),
  ]);
  if ("error" in tablesBefore) return { ...base, tablesError: `snapshot: ${tablesBefore.error}` };
  if ("error" in tablesAfter) return { ...base, tablesError: `live: ${tablesAfter.error}` };
  return { ...base, tables: compareTables(tablesBefore, tablesAfter) };
}

/** Tables added, dropped, or whose rows differ by count or content. */
export function compareTables(
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
