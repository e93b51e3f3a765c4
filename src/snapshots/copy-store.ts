// Step 2 of a snapshot: every directory of the store root recorded and every file copied into
// staging, but what is left out: SQLite through a consistent copy, other files checked not to
// change while they were copied (retried, then refused).
import { lstat, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotEntry } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { walkStore, type StoreEntry } from "../store/walk-store.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import { copyFileWithDigest, type CopiedFile } from "../util/copy-file.js";
import { readHead } from "../util/read-head.js";
import { copySQLiteConsistently, SQLITE_SIDECARS } from "./copy-sqlite.js";

type FileEntry = Extract<SnapshotEntry, { type: "file" }>;

/** A file copied into staging, to become the blob named by its digest. */
export type Staged = { readonly entry: FileEntry; readonly stagedPath: string };

/** A file that keeps changing is retried this many times before the snapshot gives up. */
const COPY_ATTEMPTS = 3;

export type CopiedStore = {
  entries: SnapshotEntry[];
  staged: Staged[];
  findings: ClassifiedFinding[];
  sqliteMethods: Map<string, "locked-copy" | "backup-api">;
};

/** Copies at once: each is a dozen async calls, so one at a time leaves libuv's threads idle. */
const COPIES_IN_FLIGHT = 8;
/** Entries taken from the walk at a time. */
const CHUNK = 256;

/** What one entry of the walk comes to, recorded in walk order. */
type Outcome =
  | { readonly kind: "skipped" }
  | { readonly kind: "findings"; readonly findings: readonly ClassifiedFinding[] }
  | { readonly kind: "dir"; readonly entry: SnapshotEntry }
  | { readonly kind: "file"; readonly staged: Staged };

type Copying = {
  readonly staging: string;
  readonly result: CopiedStore;
  readonly sqliteFiles: Set<string>;
  /** Names the next staged file. */
  staged: number;
};

/** Step 2: every directory recorded, every file copied into staging, but what is left out. */
export async function copyStore(
  storeRoot: string,
  staging: string,
  omits: (path: string) => boolean,
): Promise<CopiedStore> {
  const result: CopiedStore = { entries: [], staged: [], findings: [], sqliteMethods: new Map() };
  const copying: Copying = { staging, result, sqliteFiles: new Set(), staged: 0 };
  let chunk: StoreEntry[] = [];
  for await (const entry of walkKept(storeRoot, omits)) {
    chunk.push(entry);
    if (chunk.length === CHUNK) {
      await copyChunk(chunk, copying);
      chunk = [];
    }
  }
  await copyChunk(chunk, copying);
  // A sidecar seen before its database (names sort "x-wal" after "x") never happens; a stray
  // sidecar with no database is copied like any file.
  return result;
}

/** The walk of the store root, less what is left out and everything under a left-out directory. */
async function* walkKept(
  storeRoot: string,
  omits: (path: string) => boolean,
): AsyncGenerator<StoreEntry> {
  const omittedDirs: string[] = [];
  for await (const entry of walkStore(storeRoot)) {
    if (omittedDirs.some((prefix) => entry.path.startsWith(prefix))) continue;
    if (omits(entry.path)) {
      if (entry.type === "dir") omittedDirs.push(`${entry.path}/`);
      continue;
    }
    yield entry;
  }
}

/**
 * A chunk of the walk: its entries copied COPIES_IN_FLIGHT at a time, then recorded in walk
 * order. A name that may be a SQLite sidecar (x-wal) waits for the rest of the chunk, since
 * whether it is copied depends on whether its database (x, earlier in the walk) is SQLite.
 */
async function copyChunk(chunk: readonly StoreEntry[], copying: Copying): Promise<void> {
  const outcomes = new Array<Outcome>(chunk.length);
  const isSidecar = (entry: StoreEntry) => SQLITE_SIDECARS.some((s) => entry.path.endsWith(s));
  const indexes = chunk.map((_, index) => index);
  await mapWithConcurrency(
    indexes.filter((index) => !isSidecar(chunk[index] as StoreEntry)),
    COPIES_IN_FLIGHT,
    async (index) => {
      outcomes[index] = await copyEntry(chunk[index] as StoreEntry, copying);
    },
  );
  for (const index of indexes.filter((i) => isSidecar(chunk[i] as StoreEntry)))
    outcomes[index] = await copyEntry(chunk[index] as StoreEntry, copying);
  const { result } = copying;
  for (const outcome of outcomes) {
    if (outcome.kind === "findings") result.findings.push(...outcome.findings);
    else if (outcome.kind === "dir") result.entries.push(outcome.entry);
    else if (outcome.kind === "file") {
      result.entries.push(outcome.staged.entry);
      result.staged.push(outcome.staged);
    }
  }
}

async function copyEntry(entry: StoreEntry, copying: Copying): Promise<Outcome> {
  if (entry.type === "symlink" || entry.type === "other")
    return {
      kind: "findings",
      findings: [
        createFinding("entry_not_snapshotted", {
          subject: entry.path,
          severity: "warning",
          actual: entry.type === "symlink" ? "a symbolic link" : "a FIFO, socket or device",
          message: `${entry.path}: ${entry.type === "symlink" ? "symbolic links are" : "special files are"} not snapshotted`,
        }),
      ],
    };
  // The -wal/-shm/-journal of a database are SQLite's business: the consistent copy holds them.
  // Skipped before any lstat: a writer's journal comes and goes, and may be gone by now.
  const suffix = SQLITE_SIDECARS.find((s) => entry.path.endsWith(s));
  if (
    entry.type === "file" &&
    suffix !== undefined &&
    copying.sqliteFiles.has(entry.path.slice(0, -suffix.length))
  )
    return { kind: "skipped" };
  const info = await lstat(entry.absolutePath);
  if (entry.type === "dir")
    return { kind: "dir", entry: { path: entry.path, type: "dir", mode: info.mode & 0o7777 } };
  const stagedPath = join(copying.staging, String(copying.staged++));
  const copied = await copyFile(entry, stagedPath, copying);
  if (!copied.ok) return { kind: "findings", findings: copied.findings };
  const copy = copied.value;
  const fileEntry: FileEntry = {
    path: entry.path,
    type: "file",
    mode: info.mode & 0o7777,
    mtime: info.mtime.toISOString(),
    size: copy.size,
    digest: copy.digest,
  };
  return { kind: "file", staged: { entry: fileEntry, stagedPath } };
}

/** SQLite through a consistent copy, any other file checked not to change while copied. */
async function copyFile(
  entry: StoreEntry,
  stagedPath: string,
  { result, sqliteFiles }: Copying,
): Promise<Checked<CopiedFile>> {
  if (!isSQLiteHeader(await readHead(entry.absolutePath, 100)))
    return copyStableFile(entry.path, entry.absolutePath, stagedPath);
  sqliteFiles.add(entry.path);
  return copySQLiteConsistently(entry.absolutePath, stagedPath).then(
    (sqliteCopy) => {
      result.sqliteMethods.set(entry.path, sqliteCopy.method);
      return ok(sqliteCopy);
    },
    (error: unknown) => failed(sqliteCopyFailure(entry.path, error)),
  );
}

/**
 * Why a database could not be copied: still locked by a writer after the wait (try again), or
 * not a readable database at all (corrupt, or a hot journal left by a crashed writer).
 */
function sqliteCopyFailure(path: string, error: unknown): ClassifiedFinding {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED")
    return createFinding("source_changed_during_copy", {
      subject: path,
      actual: `${code}: ${message}`,
      message: `${path}: a writer held the database for longer than the wait, so no consistent copy could be taken`,
    });
  if (typeof code === "string" && code.startsWith("SQLITE_"))
    return createFinding("sqlite_integrity_check_failed", {
      subject: path,
      expected: "a database SQLite can read",
      actual: `${code}: ${message}`,
      message: `${path}: SQLite cannot read the live database (${code}: ${message}); a snapshot of it would not be a backup`,
      hint: "Open it with the service that writes it (a crashed writer's hot journal is rolled back on the next write), or run `sqlite3 <file> 'PRAGMA integrity_check'` to see the damage.",
    });
  throw error;
}

/**
 * Copies a file that is not SQLite, and checks it did not change while it was copied: same
 * size, modification and change times before and after, and as many bytes copied as it has.
 */
async function copyStableFile(
  path: string,
  absolutePath: string,
  stagedPath: string,
): Promise<Checked<CopiedFile>> {
  for (let attempt = 1; attempt <= COPY_ATTEMPTS; attempt++) {
    const before = await lstat(absolutePath);
    const copy = await copyFileWithDigest(absolutePath, stagedPath);
    const after = await lstat(absolutePath);
    const stable =
      before.size === after.size &&
      before.mtimeMs === after.mtimeMs &&
      before.ctimeMs === after.ctimeMs &&
      copy.size === after.size;
    if (stable) return ok(copy);
    await rm(stagedPath, { force: true });
    await new Promise((resolveWait) => setTimeout(resolveWait, 100 * attempt));
  }
  return failed(
    createFinding("source_changed_during_copy", {
      subject: path,
      expected: "a file that holds still while it is copied",
      actual: `changed during each of ${COPY_ATTEMPTS} copies`,
      message: `${path}: the file changed while it was being copied, ${COPY_ATTEMPTS} times`,
    }),
  );
}
