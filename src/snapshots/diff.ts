// What changed since a snapshot, in a live store root or in another snapshot: files added,
// removed and modified, and for SQLite databases which tables changed and by how many rows. The
// question an on-call engineer asks before rolling back: "what will I lose?"
import type { SnapshotEntry, SnapshotMetadata } from "../documents/types.js";
import { blobPath, type Repository } from "./repository.js";
import { createOmitter } from "./omitted.js";
import { entriesOf, type DiffSide, type SideEntry } from "./diff-sides.js";
import { describeModified, type ModifiedFile } from "./diff-tables.js";
import type { TableChange } from "./compare-tables.js";

export type { TableChange } from "./compare-tables.js";
export type { DiffSide } from "./diff-sides.js";

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

/**
 * `snapshot` (in `repo`) compared with `side`. What the snapshot left out by rule (not the
 * store's, disposable) is not a change, on either side.
 */
export async function diffSnapshot(
  repo: Repository,
  snapshot: SnapshotMetadata,
  side: DiffSide,
): Promise<SnapshotChanges> {
  const before = new Map(snapshot.entries.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const added: string[] = [];
  const modified: ModifiedFile[] = [];
  let unchanged = 0;
  for await (const entry of entriesOf(side, createOmitter(snapshot.omitted))) {
    seen.add(entry.path);
    const old = before.get(entry.path);
    if (!old) added.push(entry.path);
    else {
      const change = await compareEntry(repo, old, entry);
      if (change) modified.push(change);
      else unchanged++;
    }
  }
  const removed = snapshot.entries.filter((e) => !seen.has(e.path)).map((e) => e.path);
  return { added, removed, ...modifiedFields(modified), unchanged };
}

/** null when the entry is the same on both sides. */
async function compareEntry(
  repo: Repository,
  old: SnapshotEntry,
  now: SideEntry,
): Promise<ModifiedFile | null> {
  if (old.type !== now.type)
    return {
      path: now.path,
      note: `was a ${old.type === "file" ? "file" : "directory"} in the snapshot`,
    };
  if (old.type === "dir" || now.type === "dir") return null;
  const digest = await now.digest();
  if (digest.size === old.size && digest.sha256 === old.digest.sha256) return null;
  return describeModified(old.path, blobPath(repo, old.digest.sha256), now);
}

function modifiedFields(
  modified: readonly ModifiedFile[],
): Pick<SnapshotChanges, "modified" | "tables" | "notes"> {
  const tables: Record<string, readonly TableChange[]> = {};
  const notes: Record<string, string> = {};
  for (const file of modified) {
    if (file.tables) tables[file.path] = file.tables;
    if (file.note !== undefined) notes[file.path] = file.note;
  }
  return { modified: modified.map((m) => m.path), tables, notes };
}
