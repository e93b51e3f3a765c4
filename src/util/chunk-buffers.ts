// The 1 MiB buffers that async file reads stream through, kept for the next read instead of
// allocated per file: a fresh 1 MiB buffer is memory outside the JS heap that V8 counts toward a
// collection, and on thousands of small files (a snapshot's validation) collecting them took a
// quarter of the run. A buffer is lent to one read loop at a time, so concurrent reads never
// share one; at most a few are kept.
export const CHUNK_BYTES = 1024 * 1024;
const KEPT = 8;
const spare: Buffer[] = [];

/** Runs `work` with a buffer of CHUNK_BYTES that no one else uses until it settles. */
export async function withChunkBuffer<T>(work: (buffer: Buffer) => Promise<T>): Promise<T> {
  const buffer = spare.pop() ?? Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    return await work(buffer);
  } finally {
    if (spare.length < KEPT) spare.push(buffer);
  }
}
