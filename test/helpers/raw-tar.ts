// Builds tar archives block by block, so tests can make the hostile ones that well-behaved
// tools refuse to write: `..` members, absolute paths, links out of the root.
import { gzipSync } from "node:zlib";
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
