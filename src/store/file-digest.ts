// Streams a file through SHA-256 with one reused buffer, so memory never grows with file size.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import {
  closeSync,
  constants,
  copyFileSync,
  fchmodSync,
  fstatSync,
  futimesSync,
  lstatSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import type { DigestSet } from "../identity/digest.js";
import { CHUNK_BYTES, withChunkBuffer } from "../util/chunk-buffers.js";

export type FileDigest = {
  readonly size: number;
  readonly digest: DigestSet;
  readonly head: Buffer;
};

/** The size and digest of the bytes a restore wrote to a file, taken as it wrote them. */
export type WrittenFile = Pick<FileDigest, "size" | "digest">;

/**
 * Hashes a regular file. O_NOFOLLOW refuses a symlink swapped in after it was checked; the first
 * 100 bytes are kept so the kind can be detected without a second read.
 */
export async function digestFile(absolutePath: string): Promise<FileDigest> {
  const handle = await open(absolutePath, OPEN_TO_READ);
  try {
    refuseUnlessRegular((await handle.stat()).mode, absolutePath);
    return await withChunkBuffer(async (buffer) => {
      const hash = createHash("sha256");
      let size = 0;
      let head = Buffer.alloc(0);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        if (size === 0) head = Buffer.from(buffer.subarray(0, Math.min(100, bytesRead)));
        hash.update(buffer.subarray(0, bytesRead));
        size += bytesRead;
      }
      return { size, digest: { sha256: hash.digest("hex") }, head };
    });
  } finally {
    await handle.close();
  }
}

/**
 * Opened to read: never through a final symlink (ELOOP), and never waiting for a FIFO's writer
 * (O_NONBLOCK changes nothing for a regular file; what is not one is refused after the open).
 */
const OPEN_TO_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What a read refuses that is not a regular file (a FIFO, socket or device swapped in). */
const NOT_A_FILE = "EFTYPE";

function refuseUnlessRegular(mode: number, absolutePath: string): void {
  if ((mode & constants.S_IFMT) === constants.S_IFREG) return;
  throw Object.assign(
    new Error(`${absolutePath} is not a regular file (a FIFO, socket or device)`),
    {
      code: NOT_A_FILE,
    },
  );
}

/**
 * The same digest with synchronous reads into a caller's reused buffer: for worker threads,
 * where blocking is the point and a libuv round trip per read is what made small files slow.
 * Given the size it expects, a small file is read with one open, one read of that size plus a
 * byte, and a close: a regular file returns fewer bytes than asked only at its end, so a read
 * of exactly the expected size is the whole file. Anything else (empty, shorter, longer, or a
 * file too large for the buffer) takes the careful way: an fstat to refuse what is not a
 * regular file, then reads from the start to the end.
 */
export function digestFileSync(
  absolutePath: string,
  buffer: Buffer,
  expectedSize?: number,
): FileDigest {
  const fd = openSync(absolutePath, OPEN_TO_READ);
  try {
    if (expectedSize !== undefined && expectedSize > 0 && expectedSize < buffer.length) {
      if (readOnce(fd, buffer, expectedSize + 1) === expectedSize)
        return digestOfBytes(buffer.subarray(0, expectedSize));
    }
    refuseUnlessRegular(fstatSync(fd).mode, absolutePath);
    return digestOpenFileSync(fd, buffer, 0);
  } finally {
    closeSync(fd);
  }
}

/** One read from where the file stands; -1 for a FIFO with nothing to read yet (EAGAIN). */
function readOnce(fd: number, buffer: Buffer, length: number): number {
  try {
    return readSync(fd, buffer, 0, length, null);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EAGAIN") return -1;
    throw error;
  }
}

function digestOfBytes(bytes: Buffer): FileDigest {
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  return { size: bytes.length, digest: { sha256 }, head: Buffer.from(bytes.subarray(0, 100)) };
}

/**
 * Reads an open file to its end through SHA-256, keeping its head: from `position` when given,
 * else from where it stands.
 */
function digestOpenFileSync(
  fd: number,
  buffer: Buffer,
  position: number | null = null,
): FileDigest {
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  for (;;) {
    const bytesRead = readSync(
      fd,
      buffer,
      0,
      buffer.length,
      position === null ? null : position + size,
    );
    if (bytesRead === 0) break;
    if (size === 0) head = Buffer.from(buffer.subarray(0, Math.min(100, bytesRead)));
    hash.update(buffer.subarray(0, bytesRead));
    size += bytesRead;
  }
  return { size, digest: { sha256: hash.digest("hex") }, head };
}

const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Copies `from` (never through a symlink) to a new file `to` (never over anything) and hashes
 * the bytes in the same pass, then sets the mtime: read once, written once. The caller makes
 * it durable (see TreeWriter.sync).
 */
export function copyFileWithDigestSync(
  from: string,
  to: string,
  mode: number,
  mtimeMs: number | null,
  buffer: Buffer,
): WrittenFile {
  const source = openSync(from, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const target = openSync(to, CREATE_NEW, mode & 0o777);
    try {
      const hash = createHash("sha256");
      let size = 0;
      for (;;) {
        const bytesRead = readSync(source, buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        let written = 0;
        while (written < bytesRead)
          written += writeSync(target, buffer, written, bytesRead - written);
        size += bytesRead;
      }
      if (mtimeMs !== null) futimesSync(target, mtimeMs / 1000, mtimeMs / 1000);
      return { size, digest: { sha256: hash.digest("hex") } };
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}

/** What `copyFileSync` says when the file system (or the pair of them) cannot clone. */
const NO_CLONE = new Set(["ENOTSUP", "EOPNOTSUPP", "EXDEV", "EINVAL", "ENOSYS", "ENOTTY"]);

/**
 * Clones `from` to a new file `to` (a reflink: btrfs, XFS, APFS...) and hashes the clone, so
 * every byte is read once and none is written; null when the file system cannot clone, and
 * the caller copies instead. A symlink at `from` is refused (ELOOP) before cloning.
 */
export function cloneFileWithDigestSync(
  from: string,
  to: string,
  mode: number,
  mtimeMs: number | null,
  buffer: Buffer,
): WrittenFile | null {
  if (lstatSync(from).isSymbolicLink())
    throw Object.assign(new Error(`${from} is a symlink`), { code: "ELOOP" });
  try {
    copyFileSync(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE_FORCE);
  } catch (error) {
    if (NO_CLONE.has((error as NodeJS.ErrnoException).code ?? "")) return null;
    throw error;
  }
  const target = openSync(to, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    fchmodSync(target, mode & 0o777);
    if (mtimeMs !== null) futimesSync(target, mtimeMs / 1000, mtimeMs / 1000);
    const { size, digest } = digestOpenFileSync(target, buffer);
    return { size, digest };
  } finally {
    closeSync(target);
  }
}
