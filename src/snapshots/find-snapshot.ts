// Which snapshot `#<x>` names (snapshot:<repo>#<x>, and the id argument of the snapshots verbs):
// `latest`, a full id, a unique prefix of one, else a label. Pure: the caller lists the
// repository and turns the reason into its own finding.
import type { SnapshotMetadata } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";

export type SnapshotChoice = {
  readonly snapshot: SnapshotMetadata;
  /** Which snapshot was chosen and why, for the result: `snapshot <id> (label x, ...)`. */
  readonly resolved: string;
};

export function isValid(snapshot: SnapshotMetadata): boolean {
  return snapshot.validation.status === "valid";
}

/**
 * The snapshot `wanted` names among `snapshots` (newest first): `latest` is the newest that
 * validated; then a full id, then a unique id prefix (as restic takes short ids); then a label,
 * whose newest valid snapshot wins (the newest of them all when none validated), as restic's
 * `latest` with a tag filter. An ambiguous prefix that is no label, or nothing, is `notFound`.
 */
export function findSnapshot(
  snapshots: readonly SnapshotMetadata[],
  wanted: string,
  notFound: (reason: string) => ClassifiedFinding,
): Checked<SnapshotChoice> {
  const byId = wanted === "latest" ? snapshots.find(isValid) : idMatch(snapshots, wanted);
  if (byId) return ok({ snapshot: byId, resolved: `snapshot ${byId.id}` });
  if (wanted === "latest") return failed(notFound("the repository holds no valid snapshot"));
  const labelled = snapshots.filter((s) => s.label === wanted);
  const chosen = labelled.find(isValid) ?? labelled[0];
  if (chosen) return ok({ snapshot: chosen, resolved: labelResolution(chosen, labelled) });
  return failed(notFound(whyNone(snapshots, wanted)));
}

function idMatch(snapshots: readonly SnapshotMetadata[], wanted: string): SnapshotMetadata | null {
  const exact = snapshots.find((s) => s.id === wanted);
  if (exact) return exact;
  const matches = snapshots.filter((s) => s.id.startsWith(wanted));
  return matches.length === 1 && matches[0] ? matches[0] : null;
}

function labelResolution(chosen: SnapshotMetadata, labelled: readonly SnapshotMetadata[]): string {
  const label = JSON.stringify(chosen.label);
  if (labelled.length === 1) return `snapshot ${chosen.id} (the one labelled ${label})`;
  const which = isValid(chosen) ? "the newest valid" : "the newest (none validated)";
  return `snapshot ${chosen.id} (${which} of ${labelled.length} labelled ${label})`;
}

function whyNone(snapshots: readonly SnapshotMetadata[], wanted: string): string {
  const matches = snapshots.filter((s) => s.id.startsWith(wanted));
  if (matches.length > 1)
    return `${wanted} matches ${matches.length} snapshots (${matches
      .slice(0, 3)
      .map((s) => s.id)
      .join(", ")}...): give more of the id`;
  const labels = [...new Set(snapshots.flatMap((s) => (s.label === null ? [] : [s.label])))];
  const known =
    labels.length === 0
      ? "no snapshot has a label"
      : `its labels: ${labels
          .slice(0, 10)
          .map((l) => JSON.stringify(l))
          .join(", ")}${labels.length > 10 ? `, and ${labels.length - 10} more` : ""}`;
  return `no snapshot with the id or label ${wanted} in the repository (${known})`;
}
