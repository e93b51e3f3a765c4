// The snapshot a `snapshots` verb names: the repository opened, its snapshots listed, `#<x>`
// resolved (src/snapshots/find-snapshot.ts), or the findings that say why there is none.
import type { SnapshotMetadata } from "../documents/types.js";
import { ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { displayPath } from "../util/display-path.js";
import { findSnapshot } from "./find-snapshot.js";
import { listSnapshots, openRepository, type Repository } from "./repository.js";

export type LoadedSnapshot = {
  readonly repo: Repository;
  readonly snapshot: SnapshotMetadata;
  /** Which snapshot `wanted` stood for, and why (`snapshot <id> (the newest of 2 labelled x)`). */
  readonly resolved: string;
  /** Metadata documents of the repository that could not be read. */
  readonly findings: readonly ClassifiedFinding[];
};

/** The snapshot `wanted` names in the repository at `root`; snapshot_not_found saying why. */
export async function loadSnapshot(root: string, wanted: string): Promise<Checked<LoadedSnapshot>> {
  const opened = await openRepository(root);
  if (!opened.ok) return opened;
  const repo = opened.value;
  const { snapshots, findings } = await listSnapshots(repo);
  const found = findSnapshot(snapshots, wanted, (reason) =>
    createFinding("snapshot_not_found", {
      subject: wanted,
      actual: reason,
      message: `${displayPath(repo.root)}: ${reason}`,
    }),
  );
  if (!found.ok) return found;
  return ok({ repo, ...found.value, findings });
}
