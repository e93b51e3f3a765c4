// Which artifacts a store check starts first: the largest. A large database met at the end of
// the manifest would be hashed, then integrity-checked, alone while the rest of the pool sits
// idle; started first, it runs beside the many small files instead. Found in a first pass over
// the manifest that keeps only the K largest, so its memory does not grow with the store.
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import type { Artifact, Role } from "../documents/types.js";
import { readsBytes } from "./artifact-checks.js";
import { zeroCounts } from "./check-counts.js";
import type { WrittenFile } from "./file-digest.js";
import { contentChecked, type SampleSpec } from "./sample.js";

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

/**
 * What one pass over the artifacts finds before any is checked: every artifact by role, the
 * files and bytes to read (not those the restore hashed, nor those a sample leaves out), and
 * the largest.
 */
export class CheckSurvey {
  readonly byRole: Record<Role, number> = zeroCounts().byRole;
  files = 0;
  bytes = 0;
  readonly largest = new Largest();

  constructor(
    private readonly sample: SampleSpec | undefined,
    private readonly written?: ReadonlyMap<string, WrittenFile>,
  ) {}

  /** The artifact at `index` of the manifest; every one once, in any order. */
  offer(index: number, artifact: Artifact): void {
    this.byRole[artifact.role]++;
    this.largest.offer(index, artifact);
    if (!readsBytes(artifact) || this.written?.has(artifact.path)) return;
    if (this.sample && !contentChecked(artifact, this.sample)) return;
    this.files++;
    this.bytes += artifact.size;
  }
}

/** A pass over `artifacts` to survey them. */
export async function surveyOf(
  artifacts: ArtifactWindows,
  tools: {
    sample?: SampleSpec | undefined;
    written?: ReadonlyMap<string, WrittenFile> | undefined;
  },
): Promise<CheckSurvey> {
  const survey = new CheckSurvey(tools.sample, tools.written);
  await artifacts.forEachWindow(512, (start, list) => {
    list.forEach((artifact, offset) => {
      survey.offer(start + offset, artifact);
    });
  });
  return survey;
}
