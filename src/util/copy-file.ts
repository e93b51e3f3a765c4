// Copies a file and hashes it in the same pass over the bytes, with one reused buffer, then
// fsyncs the copy: memory never grows with file size and the bytes are read once.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import type { DigestSet } from "../identity/digest.js";

const CHUNK_BYTES = 1024 * 1024;

export type CopiedFile = { readonly size: number; readonly digest: DigestSet };

/** Copies `from` (never through a symlink) to a new file `to` (never over an existing one). */
export async function copyFileWithDigest(
  from: string,
  to: string,
  mode = 0o644,
): Promise<CopiedFile> {
  const source = await open(from, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const target = await open(to, "wx", mode);
    try {
      const hash = createHash("sha256");
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      let size = 0;
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, CHUNK_BYTES, null);
        if (bytesRead === 0) break;
        const chunk = buffer.subarray(0, bytesRead);
        hash.update(chunk);
        let written = 0;
        while (written < bytesRead)
          written += (await target.write(chunk, written, bytesRead - written)).bytesWritten;
        size += bytesRead;
      }
      await target.sync();
      return { size, digest: { sha256: hash.digest("hex") } };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
