// Worker threads for the checks of a store: lstat, SHA-256 and SQLite, on every core. Small
// files go in batches (one message per batch, not per file), large files one to a task and
// first, so no core waits on the last big file. One SHA-256 cannot be split across threads, so
// a single large file is hashed by one worker at the speed of one core.
import { availableParallelism } from "node:os";
import type { FileDigest, WrittenFile } from "./file-digest.js";
import type { SQLiteInspection } from "./sqlite-inspect.js";
import type { EntryType } from "./walk-store.js";
import { errorFromWorker, WorkerPool } from "../util/worker-pool.js";

export type StoreTask =
  | { readonly kind: "probe"; readonly root: string; readonly paths: readonly string[] }
  | {
      readonly kind: "digest";
      readonly files: readonly string[];
      /** The size each file is expected to have, so a small one is read in one read. */
      readonly sizes: readonly number[];
    }
  | {
      readonly kind: "sqlite";
      readonly file: string;
      readonly part: "integrity" | "content" | "shape";
    }
  | { readonly kind: "copy"; readonly files: readonly CopyRequest[] };

export type ProbeAnswer = {
  type: EntryType | null;
  linkAncestor: string | null;
  /** A regular file's size, from the same lstat; null for anything else. */
  size: number | null;
}[];
export type DigestAnswer = (
  | { ok: true; size: number; sha256: string; head: Uint8Array }
  | { ok: false; error: { message: string; code?: string } }
)[];
export type CopyAnswer = (
  | { ok: true; size: number; sha256: string }
  | { ok: false; error: { message: string; code?: string } }
)[];
export type StoreAnswer = ProbeAnswer | DigestAnswer | CopyAnswer | SQLiteInspection;

/** Files at least this large are hashed one to a task; smaller ones are batched. */
const LARGE_FILE_BYTES = 8 * 1024 * 1024;
/**
 * A batch ends at this many files or bytes: one message per batch, so a store of small files
 * pays a round trip (about 20 µs, more on a busy machine) per few hundred files, not per 64.
 */
const BATCH_FILES = 256;
const BATCH_BYTES = 16 * 1024 * 1024;
const PROBE_BATCH = 512;

export type DigestRequest = { readonly file: string; readonly expectedSize: number };
export type CopyRequest = {
  readonly from: string;
  /** A new file; its directory must exist and was made by the restore itself. */
  readonly to: string;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number | null;
};
/** Called as each batch is done, with what it held. */
export type DigestProgress = (files: number, bytes: number) => void;

/**
 * The compiled worker. Under the test runner this module runs from src/*.ts, which a worker
 * thread cannot load, so the build's copy in dist/ is used (`npm test` builds first).
 */
function workerEntry(): URL {
  const here = import.meta.url;
  return here.endsWith(".ts")
    ? new URL("../../dist/store/store-worker.js", here)
    : new URL("./store-worker.js", here);
}

export class StorePool {
  private readonly pool: WorkerPool<StoreTask, StoreAnswer>;

  constructor(size: number = availableParallelism()) {
    this.pool = new WorkerPool<StoreTask, StoreAnswer>(workerEntry(), size);
  }

  /** What is at each path under `root`, and the first symlinked ancestor on the way, if any. */
  async probe(root: string, paths: readonly string[]): Promise<ProbeAnswer> {
    const batches: Promise<StoreAnswer>[] = [];
    for (let start = 0; start < paths.length; start += PROBE_BATCH)
      batches.push(
        this.pool.run({ kind: "probe", root, paths: paths.slice(start, start + PROBE_BATCH) }),
      );
    return (await Promise.all(batches)).flat() as ProbeAnswer;
  }

  /** SHA-256 of each file, in request order; a file that cannot be read rejects the whole call. */
  digestAll(
    requests: readonly DigestRequest[],
    onProgress?: DigestProgress,
  ): Promise<FileDigest[]> {
    return this.inBatches(
      requests.map((request) => request.expectedSize),
      (batch) => {
        const batched = batch.map((i) => requests[i] as DigestRequest);
        return {
          kind: "digest",
          files: batched.map((request) => request.file),
          sizes: batched.map((request) => request.expectedSize),
        };
      },
      (item: DigestAnswer[number] & { ok: true }) => ({
        size: item.size,
        digest: { sha256: item.sha256 },
        head: Buffer.from(item.head.buffer, item.head.byteOffset, item.head.byteLength),
      }),
      onProgress,
    );
  }

  /**
   * Copies each file and hashes it in the same pass, on every core; in request order. The
   * first file that cannot be copied rejects the call (the others may be written already).
   */
  copyAll(requests: readonly CopyRequest[], onProgress?: DigestProgress): Promise<WrittenFile[]> {
    return this.inBatches(
      requests.map((request) => request.size),
      (batch) => ({ kind: "copy", files: batch.map((i) => requests[i] as CopyRequest) }),
      (item: CopyAnswer[number] & { ok: true }) => ({
        size: item.size,
        digest: { sha256: item.sha256 },
      }),
      onProgress,
    );
  }

  /**
   * Runs per-file work batched by size (see batchBySize) and gives the results in request
   * order; the first file a worker could not handle rejects the call.
   */
  // Item names the worker's answer for one file, so each caller's resultOf is typed by it.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
  private async inBatches<Item extends { ok: true; size: number }, Result>(
    sizes: readonly number[],
    taskFor: (batch: readonly number[]) => StoreTask,
    resultOf: (item: Item) => Result,
    onProgress: DigestProgress | undefined,
  ): Promise<Result[]> {
    const results = new Array<Result>(sizes.length);
    await Promise.all(
      batchBySize(sizes).map(async (batch) => {
        const answer = (await this.pool.run(taskFor(batch))) as (
          Item | { ok: false; error: { message: string; code?: string } }
        )[];
        let bytes = 0;
        answer.forEach((item, position) => {
          if (!item.ok) throw errorFromWorker(item.error);
          results[batch[position] as number] = resultOf(item);
          bytes += item.size;
        });
        onProgress?.(batch.length, bytes);
      }),
    );
    return results;
  }

  /**
   * Integrity check and content digest of one database, each on its own worker so the two run
   * at once; the content digest counts only when the integrity check passed.
   */
  async inspectSQLite(file: string): Promise<SQLiteInspection> {
    const [integrity, content] = await Promise.all([
      this.inspectSQLitePart(file, "integrity"),
      this.inspectSQLitePart(file, "content"),
    ]);
    if (!integrity.ok) return integrity;
    if (!content.ok) return content;
    return { ...content, integrity: integrity.integrity };
  }

  /**
   * One part of an inspection (the integrity check, the content digest, or the shape and row
   * counts) on one worker.
   */
  inspectSQLitePart(
    file: string,
    part: "integrity" | "content" | "shape",
  ): Promise<SQLiteInspection> {
    return this.pool.run({ kind: "sqlite", file, part }) as Promise<SQLiteInspection>;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * Indexes into batches: large files one to a batch and first (so no core ends up alone on a
 * big file at the end), small ones together up to a count or a byte total.
 */
function batchBySize(sizes: readonly number[]): number[][] {
  const order = sizes
    .map((size, index) => ({ index, size }))
    .sort(
      (a, b) =>
        Number(b.size >= LARGE_FILE_BYTES) - Number(a.size >= LARGE_FILE_BYTES) ||
        a.index - b.index,
    );
  const batches: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const { index, size } of order) {
    if (size >= LARGE_FILE_BYTES) {
      batches.push([index]);
      continue;
    }
    current.push(index);
    currentBytes += size;
    if (current.length >= BATCH_FILES || currentBytes >= BATCH_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
