// Builds tar archives block by block, so tests can make the hostile ones that well-behaved
// tools refuse to write: `..` members, absolute paths, links out of the root.
import { randomFillSync } from "node:crypto";
import { createWriteStream, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { Header } from "tar";

export type RawMember = {
  readonly path: string;
  readonly type?: "File" | "Directory" | "SymbolicLink" | "Link" | "FIFO" | "CharacterDevice";
  readonly body?: string | Buffer;
  readonly linkpath?: string;
};

function block(member: RawMember): Buffer {
  const body = member.body === undefined ? Buffer.alloc(0) : Buffer.from(member.body);
  const type = member.type ?? "File";
  const header = new Header({
    path: member.path,
    type,
    size: type === "File" ? body.length : 0,
    mode: type === "Directory" ? 0o755 : 0o644,
    mtime: new Date("2026-11-01T00:00:00Z"),
    ...(member.linkpath === undefined ? {} : { linkpath: member.linkpath }),
  });
  const head = Buffer.alloc(512);
  header.encode(head, 0);
  if (type !== "File" || body.length === 0) return head;
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([head, padded]);
}

export function rawTar(members: readonly RawMember[], options: { gzip?: boolean } = {}): Buffer {
  const bytes = Buffer.concat([...members.map(block), Buffer.alloc(1024)]);
  return options.gzip ? gzipSync(bytes) : bytes;
}

/**
 * A member whose body is made as it is written: `size` bytes of zeros with 12 random bytes in
 * every 4 KiB, which gzip shrinks about 190 times (a bomb that stays under the 1000:1 ratio
 * node-tar's own guard refuses). `ExtendedHeader` makes it a pax header of that size.
 */
export type GeneratedMember = {
  readonly path: string;
  readonly type?: "File" | "ExtendedHeader";
  readonly size: number;
};

const PATTERN = (() => {
  // 64 KiB, more than deflate's 32 KiB window, so repeating it gives gzip nothing more to find.
  const block = Buffer.alloc(64 * 1024);
  for (let at = 0; at < block.length; at += 4096) randomFillSync(block, at, 12);
  return block;
})();

function* generatedBody(size: number): Generator<Buffer> {
  for (let done = 0; done < size; done += PATTERN.length)
    yield PATTERN.subarray(0, Math.min(PATTERN.length, size - done));
  if (size % 512 !== 0) yield Buffer.alloc(512 - (size % 512));
}

function* tarBlocks(members: readonly (RawMember | GeneratedMember)[]): Generator<Buffer> {
  for (const member of members) {
    if (!("size" in member)) {
      yield block(member);
      continue;
    }
    const head = Buffer.alloc(512);
    new Header({
      path: member.path,
      type: member.type ?? "File",
      size: member.size,
      mode: 0o644,
      mtime: new Date("2026-11-01T00:00:00Z"),
    }).encode(head, 0);
    yield head;
    yield* generatedBody(member.size);
  }
  yield Buffer.alloc(1024);
}

/** Streams a gzip tar of `members` to `file`: a 1 GiB member never is in memory. */
export async function writeGzipTar(
  file: string,
  members: readonly (RawMember | GeneratedMember)[],
): Promise<void> {
  await pipeline(Readable.from(tarBlocks(members)), createGzip(), createWriteStream(file));
}

/** The members of a directory tree as a tar of it holds them: directories, then their files. */
export function membersOf(root: string): RawMember[] {
  const entries = readdirSync(root, { recursive: true, withFileTypes: true });
  return entries
    .map((entry) => {
      const path = relative(root, join(entry.parentPath, entry.name)).split(sep).join("/");
      return entry.isDirectory()
        ? { path: `${path}/`, type: "Directory" as const }
        : { path, body: readFileSync(join(root, path)) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
