// A snapshot that failed validation when it was made, as a finding (pure): `snapshots validate`
// says so, `snapshots export` refuses it.
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";

/** snapshot_invalid quoting the first error recorded at creation; none for a valid snapshot. */
export function invalidAtCreation(snapshot: SnapshotMetadata): ClassifiedFinding[] {
  if (snapshot.validation.status !== "invalid") return [];
  const recorded = snapshot.validation.findings;
  // A snapshot taken before severities were recorded: its first finding.
  const firstError =
    recorded.find((f) => f.severity === "error") ?? recorded.find((f) => f.severity === undefined);
  return [
    createFinding("snapshot_invalid", {
      subject: snapshot.id,
      actual: recorded.map((f) => `${f.code} ${f.subject}`).join("; "),
      message: `snapshot ${snapshot.id} failed validation when it was made: ${firstError?.message ?? "see its metadata"}`,
    }),
  ];
}

/** snapshot_invalid when an export of the snapshot would not be a backup; none when it would. */
export function notExportable(snapshot: SnapshotMetadata): ClassifiedFinding[] {
  if (snapshot.validation.status !== "invalid") return [];
  return [
    createFinding("snapshot_invalid", {
      subject: snapshot.id,
      message: `snapshot ${snapshot.id} failed validation when it was made; an export of it would not be a backup`,
    }),
  ];
}
