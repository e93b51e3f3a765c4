// The sizes a release seals for the files whose bytes must come back exactly (durable, bytes
// pinned), so a source can refuse a member as soon as its header says it is larger: those bytes
// cannot be the release's, and reading them would only cost the time and disk a crafted archive
// asks for. Reconstructable and disposable files, and databases pinned by content only, may
// legitimately have grown, so they have no bound here.
import { ArtifactTable, artifactsOf, type ArtifactSource } from "../documents/artifact-table.js";
import type { Artifact } from "../documents/types.js";
import type { SourceRef } from "./source.js";
import { bytesPinnedByRelease } from "../store/identity-levels.js";

/** The sealed size of the file at a store path, or undefined when none bounds it. */
export type SealedSizes = (path: string) => number | undefined;

const bounds = (artifact: Artifact) =>
  artifact.kind !== "dir" && artifact.role === "durable" && bytesPinnedByRelease(artifact);

/**
 * From compact columns, each size is looked up in the table itself, so nothing more is held
 * per artifact; from an array, a map of the bounded ones.
 */
export function sealedSizesOf(artifacts: ArtifactSource): SealedSizes {
  if (artifacts instanceof ArtifactTable)
    return (path) => {
      const artifact = artifacts.at(artifacts.indexOf(path));
      return artifact !== undefined && bounds(artifact) ? artifact.size : undefined;
    };
  const sizes = new Map<string, number>();
  for (const artifact of artifactsOf(artifacts))
    if (bounds(artifact)) sizes.set(artifact.path, artifact.size);
  return (path) => sizes.get(path);
}

/**
 * Whether the source refuses a member by its sealed size as it extracts (a tar archive, a restic
 * dump): it then looks each one up by path. A dir: or snapshot source does not.
 */
export function needsSealedSizes(ref: Pick<SourceRef, "scheme">): boolean {
  return ref.scheme === "tar" || ref.scheme === "restic";
}
