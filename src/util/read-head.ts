import { constants } from "node:fs";
import { open } from "node:fs/promises";

/** The first `length` bytes of a file (fewer when it is shorter), never through a symlink. */
export async function readHead(absolutePath: string, length: number): Promise<Buffer> {
  const handle = await open(absolutePath, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
