// The sizes a release seals for the files whose bytes must come back exactly (durable, bytes
// pinned), so a source can refuse a member as soon as its header says it is larger: those bytes
// cannot be the release's, and reading them would only cost the time and disk a crafted archive
// asks for. Reconstructable and disposable files, and databases pinned by content only, may
// legitimately have grown, so they have no bound here.
import type { Artifact } from "../documents/types.js";
import { bytesPinnedByRelease } from "../store/identity-levels.js";

/** The sealed size of the file at a store path, or undefined when none bounds it. */
export type SealedSizes = (path: string) => number | undefined;

export function sealedSizesOf(artifacts: readonly Artifact[]): SealedSizes {
  const sizes = new Map<string, number>();
  for (const artifact of artifacts)
    if (artifact.kind !== "dir" && artifact.role === "durable" && bytesPinnedByRelease(artifact))
      sizes.set(artifact.path, artifact.size);
  return (path) => sizes.get(path);
}
