// A pg_dump archive is told by its content, never by its name (pure): the custom format starts
// with the magic "PGDMP", a plain SQL dump with pg_dump's header comment; either may be wrapped
// in gzip as a whole (`pg_dump | gzip`), which is looked through.
import { constants, gunzipSync } from "node:zlib";
import type { PGDumpCompression, PGDumpFormat } from "../documents/types.js";

export type DumpFormat = { readonly format: PGDumpFormat; readonly compression: PGDumpCompression };

/** How many leading bytes detection needs: enough gzip input for the header to inflate. */
export const DUMP_HEAD_BYTES = 4096;

const CUSTOM_MAGIC = Buffer.from("PGDMP", "latin1");
// pg_dump's plain output begins "--\n-- PostgreSQL database dump\n--\n" (pg_dumpall's says
// "database cluster dump", which is not one database and is not taken for one).
const PLAIN_HEADER = /^(?:\uFEFF)?--\r?\n-- PostgreSQL database dump\r?\n/;

function isGzip(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
}

function formatOf(head: Buffer): PGDumpFormat | null {
  if (head.length >= CUSTOM_MAGIC.length && head.subarray(0, 5).equals(CUSTOM_MAGIC))
    return "custom";
  if (PLAIN_HEADER.test(head.subarray(0, 256).toString("latin1"))) return "plain";
  return null;
}

/** The start of a gzip stream, inflated as far as the bytes given allow; null if it is not gzip. */
function inflateHead(head: Uint8Array): Buffer | null {
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, 512);
  } catch {
    return null;
  }
}

/** The dump's format and compression from its first bytes, or null when it is not a pg_dump. */
export function detectDumpFormat(head: Uint8Array): DumpFormat | null {
  if (isGzip(head)) {
    const inner = inflateHead(head);
    const format = inner === null ? null : formatOf(inner);
    return format === null ? null : { format, compression: "gzip" };
  }
  const format = formatOf(Buffer.from(head.buffer, head.byteOffset, head.byteLength));
  return format === null ? null : { format, compression: "none" };
}

/** Whether the first bytes may begin a dump that needs more bytes to tell (gzip). */
export function needsLongerHead(head: Uint8Array): boolean {
  return isGzip(head);
}
