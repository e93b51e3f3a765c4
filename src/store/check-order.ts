// Which artifacts a store check starts first: the largest. A large database met at the end of
// the manifest would be hashed, then integrity-checked, alone while the rest of the pool sits
// idle; started first, it runs beside the many small files instead. Found in a first pass over
// the manifest that keeps only the K largest, so its memory does not grow with the store.
import type { Artifact } from "../documents/types.js";

/** How many of the largest artifacts are started first: a few windows' worth, no more. */
export const LARGEST_FIRST = 64;

export type Indexed = { readonly index: number; readonly artifact: Artifact };

/** The `k` largest artifacts offered, by size (ties: the earlier in the manifest first). */
export class Largest {
  private readonly kept: Indexed[] = [];

  constructor(private readonly k: number = LARGEST_FIRST) {}

  offer(index: number, artifact: Artifact): void {
    const kept = this.kept;
    if (this.k <= 0) return;
    if (
      kept.length === this.k &&
      !comesFirst({ index, artifact }, kept[kept.length - 1] as Indexed)
    )
      return;
    // Sorted insertion: k is small, and most offers stop at the check above.
    let at = kept.length;
    while (at > 0 && comesFirst({ index, artifact }, kept[at - 1] as Indexed)) at--;
    kept.splice(at, 0, { index, artifact });
    if (kept.length > this.k) kept.pop();
  }

  /** The largest first. */
  list(): readonly Indexed[] {
    return this.kept;
  }
}

function comesFirst(a: Indexed, b: Indexed): boolean {
  return (
    a.artifact.size > b.artifact.size || (a.artifact.size === b.artifact.size && a.index < b.index)
  );
}
