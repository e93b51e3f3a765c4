// Writes a restored tree into a fresh scratch directory and nowhere else: parents are made by
// us (so none is a link), files are created exclusively without following links, and every
// file and directory is fsynced before the tree is handed on.
import { constants } from "node:fs";
import { chmod, link, mkdir, open, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { syncDirectory } from "../util/atomic-write.js";
import { resolveInside } from "../store/store-path.js";

const CREATE_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class TreeWriter {
  /** Directory creations by path, shared so concurrent writers never race on one mkdir. */
  private readonly directories = new Map<string, Promise<void>>([["", Promise.resolve()]]);
  /** The modes the backup gave its directories, applied once every file is written. */
  private readonly directoryModes = new Map<string, number>();
  files = 0;
  bytes = 0;

  constructor(private readonly root: string) {}

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

  async file(path: string, content: Readable, mode = 0o644, mtime?: Date): Promise<void> {
    await this.directory(dirname(path) === "." ? "" : dirname(path));
    const absolute = this.absolute(path);
    const handle = await open(absolute, CREATE_FLAGS, mode & 0o777);
    try {
      for await (const chunk of content as AsyncIterable<Buffer>) {
        await handle.write(chunk);
        this.bytes += chunk.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (mtime) await utimes(absolute, mtime, mtime);
    this.files++;
  }

  async hardlink(path: string, existing: string): Promise<void> {
    await this.directory(dirname(path) === "." ? "" : dirname(path));
    await link(this.absolute(existing), this.absolute(path));
    this.files++;
  }

  /** Applies directory modes, then fsyncs every directory made, deepest first, so the renames that follow are durable. */
  async sync(): Promise<void> {
    for (const [path, mode] of this.directoryModes) await chmod(this.absolute(path), mode);
    const all = [...this.directories.keys()].sort((a, b) => b.length - a.length);
    for (const path of all) await syncDirectory(path === "" ? this.root : join(this.root, path));
  }
}
