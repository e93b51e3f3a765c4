// The copies a backup keeps over time, for the retention audit: every archive of a folder, every
// valid snapshot of a snapshot repository, every snapshot of a restic repository. A dir: or tar:
// backup is one copy: it has no series. Only reads.
import { listArchives } from "../snapshots/archive-folder.js";
import { isValid, listSnapshots, openRepository } from "../snapshots/repository.js";
import { listResticSnapshotTimes } from "../sources/restic-source.js";
import { firstFinding } from "../findings/checked.js";
import type { BackupTarget } from "./inspect-backup.js";

export type Series =
  | { readonly kind: "archives" | "snapshots"; readonly times: readonly Date[] }
  | { readonly kind: "unreadable"; readonly problem: string }
  | { readonly kind: "single" };

export async function seriesOf(target: BackupTarget): Promise<Series> {
  if (target.archives !== null) {
    try {
      const archives = await listArchives(target.archives);
      return {
        kind: "archives",
        times: archives.flatMap((a) => (a.time === null ? [] : [a.time])),
      };
    } catch (error) {
      return {
        kind: "unreadable",
        problem: String((error as NodeJS.ErrnoException).code ?? error),
      };
    }
  }
  const ref = target.ref;
  if (ref?.scheme === "snapshot") {
    const repo = await openRepository(ref.location.slice(0, ref.location.lastIndexOf("#")));
    if (!repo.ok) return { kind: "unreadable", problem: firstFinding(repo).message };
    const listed = await listSnapshots(repo.value);
    return {
      kind: "snapshots",
      times: listed.snapshots.filter(isValid).map((s) => new Date(s.time)),
    };
  }
  if (ref?.scheme === "restic") {
    const times = await listResticSnapshotTimes(ref);
    return times.ok
      ? { kind: "snapshots", times: times.value }
      : { kind: "unreadable", problem: firstFinding(times).message };
  }
  return { kind: "single" };
}
