// Writes a restored tree into a fresh scratch directory and nowhere else: parents are made by
// us (so none is a link), files are created exclusively without following links, and every
// file and directory is flushed to disk before the tree is handed on. Each file is hashed as it is
// written, so the checks after the restore need not read the bytes a second time.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { chmod, link, mkdir, open, utimes, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { NO_PROGRESS, type StageProgress } from "../util/progress.js";
import { syncEach, syncFileSystem } from "../util/sync-fs.js";
import type { WrittenFile } from "../store/file-digest.js";
import type { StorePool } from "../store/store-pool.js";
import { walkStore } from "../store/walk-store.js";
import { resolveInside } from "../documents/store-path.js";
import { WrittenDigests } from "./written-digests.js";

export type FileToCopy = {
  /** The store path to write. */
  readonly path: string;
  /** The file to copy, outside the scratch root. */
  readonly from: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime?: Date;
};

/** Files fsynced at a time when the file system cannot be flushed at once. */
const SYNC_BATCH = 256;

const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class TreeWriter {
  /** Directory creations by path, shared so concurrent writers never race on one mkdir. */
  private readonly directories = new Map<string, Promise<void>>([["", Promise.resolve()]]);
  /** The modes the backup gave its directories, applied once every file is written. */
  private readonly directoryModes = new Map<string, number>();
  /**
   * What was written to each file, by store path: the digest of exactly the bytes written; for
   * the largest files only, when a budget bounds it (./written-digests.ts).
   */
  readonly written: WrittenDigests;
  /** The first write that failed; once set, nothing more is written. */
  private failure: Error | null = null;
  files = 0;
  bytes = 0;

  private readonly progress: StageProgress;
  private readonly syncCommand: string;

  /**
   * `progress`: told of every file written. `syncCommand`: the `sync` program that flushes a
   * file system; tests name a missing one. `writtenBudget`: the files whose digests are kept
   * (the largest); every file's, by default.
   */
  constructor(
    private readonly root: string,
    options: {
      readonly progress?: StageProgress;
      readonly syncCommand?: string;
      readonly writtenBudget?: number;
    } = {},
  ) {
    this.progress = options.progress ?? NO_PROGRESS.stage("");
    this.syncCommand = options.syncCommand ?? "sync";
    this.written = new WrittenDigests(options.writtenBudget);
  }

  private absolute(path: string): string {
    const absolute = resolveInside(this.root, path);
    if (absolute === null) throw new Error(`refusing to write outside the scratch root: ${path}`);
    return absolute;
  }

  /**
   * Makes a directory (and its parents). `mode` is the backup's, applied at the end: without
   * setuid, setgid or sticky bits, and always rwx for the owner, so the restore can finish and a
   * later restore can replace the tree.
   */
  directory(path: string, mode?: number): Promise<void> {
    if (mode !== undefined && path !== "") this.directoryModes.set(path, (mode & 0o777) | 0o700);
    const existing = this.directories.get(path);
    if (existing) return existing;
    const parent = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
    const created = this.directory(parent)
      .then(() => mkdir(this.absolute(path), { mode: 0o755 }))
      .then(() => undefined);
    this.directories.set(path, created);
    return created;
  }

  /**
   * Writes one file from `content`, which is always read to its end: an archive reader waits
   * until each member's bytes are taken, so a write that fails (a full disk) must not stop the
   * reading. After one failure nothing more is written; every later file fails the same way.
   * Callers may gather these promises and wait for them only once the whole archive is read, so
   * a failure is kept for them, never an unhandled rejection that would end the process.
   */
  file(path: string, content: Readable, mode = 0o644, mtime?: Date): Promise<void> {
    const failure = this.failure;
    const written =
      failure === null ? this.writeFile(path, content, mode, mtime) : Promise.reject(failure);
    const kept = written.catch((error: unknown) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
      content.resume();
      throw error;
    });
    kept.catch(() => undefined);
    return kept;
  }

  private async writeFile(
    path: string,
    content: Readable,
    mode: number,
    mtime: Date | undefined,
  ): Promise<void> {
    await this.directory(dirname(path) === "." ? "" : dirname(path));
    const absolute = this.absolute(path);
    const handle = await open(absolute, CREATE_FLAGS, mode & 0o777);
    const hash = createHash("sha256");
    let size = 0;
    let failed: { error: unknown } | null = null;
    try {
      for await (const chunk of content as AsyncIterable<Buffer>) {
        if (failed) continue; // read on to the end of the member, writing nothing more
        try {
          await this.writeChunk(handle, chunk);
        } catch (error) {
          failed = { error };
          continue;
        }
        hash.update(chunk);
        size += chunk.length;
        this.bytes += chunk.length;
      }
    } finally {
      await handle.close();
    }
    if (failed) throw failed.error;
    if (mtime) await utimes(absolute, mtime, mtime);
    this.written.set(path, { size, digest: { sha256: hash.digest("hex") } });
    this.files++;
    this.progress.advance(1, size);
  }

  private async writeChunk(handle: FileHandle, chunk: Buffer): Promise<void> {
    let done = 0;
    while (done < chunk.length)
      done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
  }

  /**
   * Copies files of a directory on the worker pool, every core copying and hashing in one pass
   * over the bytes. Each file is new (O_EXCL, O_NOFOLLOW) in a directory this writer made.
   */
  async copyFiles(files: readonly FileToCopy[], pool: StorePool): Promise<void> {
    for (const file of files)
      await this.directory(dirname(file.path) === "." ? "" : dirname(file.path));
    const done = await pool.copyAll(
      files.map((file) => ({
        from: file.from,
        to: this.absolute(file.path),
        size: file.size,
        mode: file.mode,
        mtimeMs: file.mtime?.getTime() ?? null,
      })),
      (files, bytes) => {
        this.progress.advance(files, bytes);
      },
    );
    files.forEach((file, index) => {
      const written = done[index] as WrittenFile;
      this.written.set(file.path, written);
      this.files++;
      this.bytes += written.size;
    });
  }

  async hardlink(path: string, existing: string): Promise<void> {
    await this.directory(dirname(path) === "." ? "" : dirname(path));
    await link(this.absolute(existing), this.absolute(path));
    const same = this.written.get(existing);
    if (same) this.written.set(path, same);
    this.files++;
  }

  /**
   * Applies directory modes, then makes every file and directory durable before the renames
   * that follow: one flush of the file system where it can, else an fsync of each.
   */
  async sync(): Promise<void> {
    this.progress.done();
    for (const [path, mode] of this.directoryModes) await chmod(this.absolute(path), mode);
    if (await syncFileSystem(this.root, this.syncCommand)) return;
    // Every file written is in the tree, which is walked a batch at a time rather than listed.
    let batch: string[] = [];
    for await (const entry of walkStore(this.root)) {
      if (entry.type === "file") batch.push(entry.absolutePath);
      if (batch.length < SYNC_BATCH) continue;
      await syncEach(batch, []);
      batch = [];
    }
    const directories = [...this.directories.keys()].sort((a, b) => b.length - a.length);
    await syncEach(
      batch,
      directories.map((path) => (path === "" ? this.root : join(this.root, path))),
    );
  }
}
