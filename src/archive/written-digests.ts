// The digests a restore computes as it writes, kept within a budget so memory does not grow with
// the number of files: the largest files' digests are kept (their bytes are the costly ones to
// read again), the rest let go. The store check after the restore reads a file whose digest was
// let go, straight after it was written, from the page cache: the same proof, as a re-read of a
// file this process has just written proves nothing more than its digest at write time.
import type { WrittenFile } from "../store/file-digest.js";

/**
 * Files whose digests a restore keeps by default: about 250 bytes each, so at most about 16 MiB
 * however many files the store holds. RECOVERABLE_WRITTEN_BUDGET sets another (tests make it
 * small to cross it with a few files).
 */
export const WRITTEN_BUDGET = 65_536;

export function writtenBudget(): number {
  const given = Number(process.env.RECOVERABLE_WRITTEN_BUDGET);
  return Number.isInteger(given) && given >= 0 ? given : WRITTEN_BUDGET;
}

/**
 * What was written to each file, by store path, for at most `budget` files: once full, a file
 * larger than the smallest kept takes its place. A lookup (get, has) the store check reads as
 * a map; `complete` says whether every file written is in it.
 */
export class WrittenDigests implements ReadonlyMap<string, WrittenFile> {
  private readonly kept = new Map<string, WrittenFile>();
  /** The kept paths as a min-heap on size: the root is the first to let go. */
  private readonly heap: { path: string; size: number }[] = [];
  /** Files written whose digests were let go. */
  dropped = 0;

  constructor(private readonly budget = Number.POSITIVE_INFINITY) {}

  get complete(): boolean {
    return this.dropped === 0;
  }

  /** Records the digest of a file written (again, for a path written twice: a hardlink). */
  set(path: string, written: WrittenFile): this {
    if (this.kept.has(path)) {
      this.kept.set(path, written);
      return this;
    }
    if (this.heap.length < this.budget) {
      this.kept.set(path, written);
      this.push({ path, size: written.size });
      return this;
    }
    this.dropped++;
    const smallest = this.heap[0];
    if (smallest === undefined || smallest.size >= written.size) return this;
    this.kept.delete(smallest.path);
    this.kept.set(path, written);
    this.replaceRoot({ path, size: written.size });
    return this;
  }

  get(path: string): WrittenFile | undefined {
    return this.kept.get(path);
  }

  has(path: string): boolean {
    return this.kept.has(path);
  }

  get size(): number {
    return this.kept.size;
  }

  forEach(
    callback: (value: WrittenFile, key: string, map: ReadonlyMap<string, WrittenFile>) => void,
  ): void {
    for (const [path, written] of this.kept) callback(written, path, this);
  }

  entries(): MapIterator<[string, WrittenFile]> {
    return this.kept.entries();
  }

  keys(): MapIterator<string> {
    return this.kept.keys();
  }

  values(): MapIterator<WrittenFile> {
    return this.kept.values();
  }

  [Symbol.iterator](): MapIterator<[string, WrittenFile]> {
    return this.kept.entries();
  }

  private push(item: { path: string; size: number }): void {
    const heap = this.heap;
    let index = heap.push(item) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as { size: number }).size <= item.size) break;
      heap[index] = heap[parent] as { path: string; size: number };
      index = parent;
    }
    heap[index] = item;
  }

  private replaceRoot(item: { path: string; size: number }): void {
    const heap = this.heap;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child =
        right < heap.length &&
        (heap[right] as { size: number }).size < (heap[left] as { size: number }).size
          ? right
          : left;
      if ((heap[child] as { size: number }).size >= item.size) break;
      heap[index] = heap[child] as { path: string; size: number };
      index = child;
    }
    heap[index] = item;
  }
}
