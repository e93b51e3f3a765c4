// Validates a snapshot from the bytes it stored: every blob re-read and re-hashed, every
// SQLite file integrity-checked with its content digest, every JSON file parsed. The same
// checks run when a snapshot is made and whenever `snapshots validate` asks again.
import type { SnapshotEntry, SnapshotMetadata, TableRows } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual, shortDigest, type DigestSet } from "../identity/digest.js";
import { parseJSONArtifact } from "../store/detect-kind.js";
import { digestFile, type FileDigest } from "../store/file-digest.js";
import { StorePool } from "../store/store-pool.js";
import { isSQLiteHeader } from "../store/sqlite-header.js";
import { inspectSQLite } from "../store/sqlite-inspect.js";
import { entryTypeAt } from "../store/walk-store.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import { blobPath, type Repository } from "./repository.js";
import { relative } from "node:path";

type FileEntry = Extract<SnapshotEntry, { type: "file" }>;

export type SQLiteFacts = { readonly contentDigest: DigestSet; readonly tables: TableRows[] };

export type BlobCheck = {
  readonly findings: ClassifiedFinding[];
  /** What the SQLite blobs hold, by entry path (to record at creation, compare later). */
  readonly sqlite: Map<string, SQLiteFacts>;
};

/** SQLite and JSON checks at once on the main thread. */
const CONCURRENCY = 4;
/** Entries looked at and hashed per step, so a step's answers are all that is held. */
const CHUNK = 512;

/** `snapshot <id>: <path>`: findings name the snapshot and the path in the store. */
function where(snapshotId: string, path: string): string {
  return `snapshot ${snapshotId}: ${path}`;
}

type FileCheck = { findings: ClassifiedFinding[]; sqlite: SQLiteFacts | null };

const only = (finding: ClassifiedFinding, sqlite: SQLiteFacts | null = null): FileCheck => ({
  findings: [finding],
  sqlite,
});

/**
 * One file entry the slow way, each step awaited here: for a blob the pool's probe did not find
 * as a plain file in its place (missing, or under a symlinked directory), so its finding is the
 * one this function always gave.
 */
async function checkFile(
  repo: Repository,
  snapshotId: string,
  entry: FileEntry,
): Promise<FileCheck> {
  const blob = blobPath(repo, entry.digest.sha256);
  if ((await entryTypeAt(blob)) !== "file") return blobMissing(snapshotId, entry);
  return checkRead(blob, snapshotId, entry, await digestFile(blob));
}

function blobMissing(snapshotId: string, entry: FileEntry): FileCheck {
  const at = where(snapshotId, entry.path);
  return only(
    createFinding("artifact_missing", {
      subject: entry.path,
      expected: `blob ${shortDigest(entry.digest)}`,
      actual: "absent",
      message: `${at}: its stored bytes (blob ${shortDigest(entry.digest)}) are missing from the repository`,
      hint: "The repository lost data: take a new snapshot, and restore from an older one or another copy if you need this one.",
    }),
  );
}

/** A blob's bytes as read, against the entry: size and digest, then SQLite or JSON. */
async function checkRead(
  blob: string,
  snapshotId: string,
  entry: FileEntry,
  read: FileDigest,
): Promise<FileCheck> {
  const at = where(snapshotId, entry.path);
  if (read.size !== entry.size || !digestsEqual(read.digest, entry.digest))
    return only(
      createFinding(
        read.size !== entry.size ? "artifact_size_mismatch" : "artifact_hash_mismatch",
        {
          subject: entry.path,
          expected: `${entry.size} bytes, ${shortDigest(entry.digest)}`,
          actual: `${read.size} bytes, ${shortDigest(read.digest)}`,
          message: `${at}: the stored bytes changed after the snapshot was made (expected ${shortDigest(entry.digest)}, read ${shortDigest(read.digest)})`,
          hint: "The repository's storage damaged this blob: do not restore this snapshot; take a new one and check the disk.",
        },
      ),
    );
  if (isSQLiteHeader(read.head)) return checkSQLite(blob, read.head, entry, at);
  if (entry.path.endsWith(".json") && !(await parseJSONArtifact(blob)))
    return only(
      createFinding("json_artifact_invalid", {
        subject: entry.path,
        message: `${at}: the file is named .json but is not one valid JSON value`,
        hint: "The store held a broken JSON file when the snapshot was taken: fix it in the store and take a new snapshot.",
      }),
    );
  return { findings: [], sqlite: null };
}

/** A SQLite blob: integrity checked, its content digest taken and compared with the record. */
async function checkSQLite(
  blob: string,
  head: Uint8Array,
  entry: FileEntry,
  at: string,
): Promise<FileCheck> {
  const inspection = await inspectSQLite(blob, head);
  if (!inspection.ok)
    return only(
      createFinding("sqlite_integrity_check_failed", {
        subject: entry.path,
        expected: "ok",
        actual: inspection.error,
        message: `${at}: the SQLite integrity check failed: ${inspection.error}`,
      }),
    );
  const facts = {
    contentDigest: { sha256: inspection.contentDigestHex },
    tables: inspection.tables,
  };
  if (entry.sqlite && !digestsEqual(entry.sqlite.contentDigest, facts.contentDigest))
    return only(
      createFinding("sqlite_content_mismatch", {
        subject: entry.path,
        expected: shortDigest(entry.sqlite.contentDigest),
        actual: shortDigest(facts.contentDigest),
        message: `${at}: the database's content differs from what the snapshot recorded`,
      }),
      facts,
    );
  return { findings: [], sqlite: facts };
}

/**
 * Checks every file entry of a snapshot against the bytes in the repository. The blobs are
 * looked at and hashed on the worker pool (one message per batch of small files, blocking reads
 * into a reused buffer), a chunk of entries at a time; the few SQLite and JSON checks run here.
 */
export async function checkSnapshotBlobs(
  repo: Repository,
  snapshot: Pick<SnapshotMetadata, "id" | "entries">,
): Promise<BlobCheck> {
  const files = snapshot.entries.filter((e): e is FileEntry => e.type === "file");
  const starts = Array.from({ length: Math.ceil(files.length / CHUNK) }, (_, i) => i * CHUNK);
  const pool = new StorePool();
  let results: FileCheck[];
  try {
    const chunks = await mapWithConcurrency(starts, 2, (start) =>
      checkChunk(pool, repo, snapshot.id, files.slice(start, start + CHUNK)),
    );
    results = chunks.flat();
  } finally {
    await pool.close();
  }
  const findings: ClassifiedFinding[] = [];
  const sqlite = new Map<string, SQLiteFacts>();
  results.forEach((result, index) => {
    findings.push(...result.findings);
    const entry = files[index];
    if (entry && result.sqlite) sqlite.set(entry.path, result.sqlite);
  });
  return { findings, sqlite };
}

/** Entries whose blob is a plain file in its place are read on the pool; the rest one by one. */
async function checkChunk(
  pool: StorePool,
  repo: Repository,
  snapshotId: string,
  entries: readonly FileEntry[],
): Promise<FileCheck[]> {
  const places = await pool.probe(
    repo.blobs,
    entries.map((entry) => relative(repo.blobs, blobPath(repo, entry.digest.sha256))),
  );
  const inPlace = entries.filter((_, i) => places[i]?.type === "file");
  const reads = await pool.digestAll(
    inPlace.map((entry) => ({
      file: blobPath(repo, entry.digest.sha256),
      expectedSize: entry.size,
    })),
  );
  const readOf = new Map(inPlace.map((entry, i) => [entry, reads[i] as FileDigest]));
  return mapWithConcurrency(entries, CONCURRENCY, (entry) => {
    const read = readOf.get(entry);
    if (read === undefined) return checkFile(repo, snapshotId, entry);
    return checkRead(blobPath(repo, entry.digest.sha256), snapshotId, entry, read);
  });
}
