// The newer side of a `snapshots diff`, as one stream of entries whatever it is: a live store
// root (walked, hashed, its databases read from a consistent copy) or another snapshot (its
// recorded entries, its bytes in the blob store).
import type { SnapshotMetadata } from "../documents/types.js";
import { digestFile } from "../store/file-digest.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { walkStore } from "../store/walk-store.js";
import { readHead } from "../util/read-head.js";
import { SQLITE_SIDECARS } from "./copy-sqlite.js";
import { blobPath, type Repository } from "./repository.js";

/** What a diff compares a snapshot with. */
export type DiffSide =
  | { readonly kind: "dir"; readonly root: string }
  | { readonly kind: "snapshot"; readonly repo: Repository; readonly snapshot: SnapshotMetadata };

export type SideEntry =
  | { readonly path: string; readonly type: "dir" }
  | {
      readonly path: string;
      readonly type: "file";
      /** Where its bytes are: the live file, or the other snapshot's blob. */
      readonly bytes: string;
      /** A live file, read from a consistent copy when it is a database. */
      readonly live: boolean;
      readonly digest: () => Promise<{ readonly size: number; readonly sha256: string }>;
    };

/** The side's entries, but those `omits` leaves out (a directory left out is left out whole). */
export function entriesOf(
  side: DiffSide,
  omits: (path: string) => boolean,
): AsyncIterable<SideEntry> | Iterable<SideEntry> {
  return side.kind === "dir" ? liveEntries(side.root, omits) : snapshotEntries(side, omits);
}

async function* liveEntries(
  root: string,
  omits: (path: string) => boolean,
): AsyncIterable<SideEntry> {
  const databases = new Set<string>();
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
    if (entry.type === "dir") {
      yield { path: entry.path, type: "dir" };
      continue;
    }
    const file = entry.absolutePath;
    yield {
      path: entry.path,
      type: "file",
      bytes: file,
      live: true,
      digest: async () => {
        const now = await digestFile(file);
        return { size: now.size, sha256: now.digest.sha256 };
      },
    };
  }
}

function* snapshotEntries(
  side: Extract<DiffSide, { kind: "snapshot" }>,
  omits: (path: string) => boolean,
): Iterable<SideEntry> {
  for (const entry of side.snapshot.entries) {
    if (omits(entry.path)) continue;
    if (entry.type === "dir") {
      yield { path: entry.path, type: "dir" };
      continue;
    }
    const digest = { size: entry.size, sha256: entry.digest.sha256 };
    const bytes = blobPath(side.repo, entry.digest.sha256);
    yield {
      path: entry.path,
      type: "file",
      bytes,
      live: false,
      digest: () => Promise.resolve(digest),
    };
  }
}
