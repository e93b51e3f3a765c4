// Looks at one configured backup without restoring it: can it be reached, when was it taken,
// and (where that can be told without restoring) does it hold every durable artifact of the
// release. Never writes: a directory is read, a snapshot repository's metadata is listed.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Artifact, BackupLocation, Manifest, SnapshotMetadata } from "../documents/types.js";
import { blobPath, isValid, listSnapshots, openRepository } from "../snapshots/repository.js";
import { findSnapshot } from "../snapshots/find-snapshot.js";
import { createFinding } from "../findings/finding.js";
import { firstFinding } from "../findings/checked.js";
import { dirSourceKind } from "../sources/dir-source.js";
import { openSource } from "../sources/open-source.js";
import { archiveFileProblem } from "../sources/tar-source.js";
import { parseSourceRef, type SourceRef } from "../archive/source.js";
import { listArchives, type ArchiveSelection } from "../snapshots/archive-folder.js";
import { displayPath } from "../util/display-path.js";
import { digestFile } from "../store/file-digest.js";
import { inspectSQLite } from "../store/sqlite-inspect.js";
import { resolveInside } from "../documents/store-path.js";
import { entryTypeAt } from "../store/walk-store.js";
import { mapWithConcurrency } from "../util/concurrency.js";
import {
  durableArtifacts,
  heldBySnapshot,
  missingDurable,
  type HeldEntry,
  type Shortfall,
} from "../store/holdings.js";

export type BackupTarget = {
  readonly name: string;
  /** The backup as a source; for a folder of archives, its newest archive (null when it has none). */
  readonly ref: SourceRef | null;
  readonly archives: ArchiveSelection | null;
  readonly authoritative: boolean;
  readonly location: BackupLocation | null;
  readonly media: string | null;
};

export type Holdings =
  | { readonly checked: true; readonly missing: readonly Shortfall[] }
  | { readonly checked: false; readonly reason: string };

export type BackupFacts = {
  readonly name: string;
  readonly source: string;
  readonly scheme: SourceRef["scheme"] | "archives";
  readonly authoritative: boolean;
  readonly location: BackupLocation | null;
  readonly media: string | null;
  /** Why the backup cannot be reached, or null when it can. */
  readonly problem: string | null;
  readonly backupTime: Date | null;
  /** For a snapshot repository: the snapshot audited (the newest valid one for #latest). */
  readonly snapshot: {
    readonly id: string;
    readonly release: SnapshotMetadata["release"];
  } | null;
  readonly holdings: Holdings;
  /** What else an on-call engineer should know (skipped invalid snapshots, unreadable metadata). */
  readonly notes: readonly string[];
};

const NOT_CHECKED: Holdings = { checked: false, reason: "not checked" };

/** What every answer about a backup starts from: who it is, and nothing found yet. */
function blank(target: BackupTarget, notes: string[] = []): BackupFacts {
  return {
    name: target.name,
    source: backupSource(target),
    scheme: target.archives === null ? (target.ref?.scheme ?? "archives") : "archives",
    authoritative: target.authoritative,
    location: target.location,
    media: target.media,
    problem: null,
    backupTime: null,
    snapshot: null,
    holdings: NOT_CHECKED,
    notes,
  };
}

function unreachable(target: BackupTarget, problem: string, notes: string[] = []): BackupFacts {
  return { ...blank(target, notes), problem };
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** How a backup is shown: its source string, or `archives:<folder>/<glob>`. */
export function backupSource(target: BackupTarget): string {
  if (target.archives === null) return target.ref?.text ?? "";
  return `archives:${displayPath(join(target.archives.dir, target.archives.glob))}`;
}

export async function inspectBackup(
  target: BackupTarget,
  manifest: Manifest,
): Promise<BackupFacts> {
  if (target.archives !== null) return inspectArchiveFolder(target, target.archives);
  const ref = target.ref;
  if (ref === null) return unreachable(target, "names no source");
  switch (ref.scheme) {
    case "dir":
      return inspectDirectory({ ...target, ref }, manifest);
    case "snapshot":
      return inspectSnapshot({ ...target, ref }, manifest);
    case "tar":
    case "restic":
      return inspectArchive({ ...target, ref });
  }
}

// A folder of archives: its newest dated archive, as a tar: backup.
async function inspectArchiveFolder(
  target: BackupTarget,
  archives: ArchiveSelection,
): Promise<BackupFacts> {
  let listed;
  try {
    listed = await listArchives(archives);
  } catch (error) {
    return unreachable(target, `its folder cannot be listed (${errnoOf(error)})`);
  }
  const newest = listed.find((a) => a.time !== null);
  if (newest === undefined)
    return unreachable(
      target,
      listed.length === 0
        ? `its folder holds no file matching ${archives.glob}`
        : `no archive's name holds a date matching ${archives.datePattern ?? ""}`,
    );
  const ref = parseSourceRef(`tar:${newest.path}`, archives.dir);
  if (!ref.ok) return unreachable(target, firstFinding(ref).message);
  const facts = await inspectArchive({ ...target, ref: ref.value });
  const note = `${listed.length} archive${listed.length === 1 ? "" : "s"}, the newest ${newest.name}`;
  return { ...facts, source: backupSource(target), notes: [note, ...facts.notes] };
}

// dir: — its backup time is its newest mtime; its files are hashed like a store root's.
async function inspectDirectory(
  target: BackupTarget & { ref: SourceRef },
  manifest: Manifest,
): Promise<BackupFacts> {
  const kind = await dirSourceKind(target.ref.location).catch(() => "absent");
  if (kind !== "dir")
    return unreachable(target, kind === "absent" ? "does not exist" : "is not a directory");
  const source = openSource(target.ref);
  if (!source.ok) return unreachable(target, firstFinding(source).message);
  const backupTime = await source.value.backupTime();
  if (backupTime === null) return unreachable(target, "holds nothing (an empty directory)");
  let held: Map<string, HeldEntry>;
  try {
    held = await heldInDirectory(target.ref.location, durableArtifacts(manifest));
  } catch (error) {
    return unreachable(target, `cannot be read (${errnoOf(error)})`);
  }
  return {
    ...blank(target),
    backupTime,
    holdings: { checked: true, missing: missingDurable(manifest, held) },
  };
}

/** The durable artifacts as a directory holds them; the SQLite content digest only when needed. */
async function heldInDirectory(
  root: string,
  artifacts: readonly Artifact[],
): Promise<Map<string, HeldEntry>> {
  const entries = await mapWithConcurrency(
    artifacts,
    4,
    async (artifact): Promise<[string, HeldEntry] | null> => {
      const absolute = resolveInside(root, artifact.path);
      const type = absolute === null ? null : await entryTypeAt(absolute);
      if (absolute === null || type === null) return null;
      if (type !== "file") return [artifact.path, { type: type === "dir" ? "dir" : "other" }];
      const { digest, head } = await digestFile(absolute);
      let contentDigest = null;
      if (artifact.sqlite?.identity === "content") {
        const inspected = await inspectSQLite(absolute, head);
        contentDigest = inspected.ok ? { sha256: inspected.contentDigestHex } : null;
      }
      return [artifact.path, { type: "file", digest, contentDigest }];
    },
  );
  return new Map(entries.filter((e) => e !== null));
}

// snapshot: — the newest valid snapshot (or the one named), by its recorded digests.
async function inspectSnapshot(
  target: BackupTarget & { ref: SourceRef },
  manifest: Manifest,
): Promise<BackupFacts> {
  const hash = target.ref.location.lastIndexOf("#");
  const opened = await openRepository(target.ref.location.slice(0, hash));
  if (!opened.ok) return unreachable(target, firstFinding(opened).message);
  const repo = opened.value;
  const wanted = target.ref.location.slice(hash + 1);
  const listed = await listSnapshots(repo);
  const notes = listed.findings.map(
    (f) => `snapshot metadata ${f.subject} cannot be used: ${f.message}`,
  );
  const chosen = findSnapshot(listed.snapshots, wanted, (reason) =>
    createFinding("snapshot_not_found", { subject: wanted, message: reason }),
  );
  if (!chosen.ok) return unreachable(target, chosen.findings[0]?.message ?? wanted, notes);
  const found = chosen.value.snapshot;
  if (!isValid(found))
    return unreachable(target, `snapshot ${found.id} failed validation when it was taken`, notes);
  const skipped = listed.snapshots.filter((s) => s.time > found.time && !isValid(s));
  if (wanted === "latest" && skipped.length > 0)
    notes.push(
      `${skipped.length} newer snapshot${skipped.length === 1 ? "" : "s"} failed validation and ${skipped.length === 1 ? "is" : "are"} skipped (${skipped.map((s) => s.id).join(", ")})`,
    );
  const held = heldBySnapshot(found);
  // A snapshot is only as good as its stored bytes: a lost blob is a file it no longer holds.
  for (const artifact of durableArtifacts(manifest)) {
    const entry = held.get(artifact.path);
    if (entry?.type !== "file") continue;
    const blob = await lstat(blobPath(repo, entry.digest.sha256)).catch(() => null);
    if (!blob?.isFile()) held.set(artifact.path, { type: "lost" });
  }
  return {
    ...blank(target, notes),
    backupTime: new Date(found.time),
    snapshot: { id: found.id, release: found.release },
    holdings: { checked: true, missing: missingDurable(manifest, held) },
  };
}

// tar: and restic: — reachable and dated without restoring; their contents only a drill proves.
async function inspectArchive(target: BackupTarget & { ref: SourceRef }): Promise<BackupFacts> {
  if (target.ref.scheme === "tar") {
    const problem = await archiveFileProblem(target.ref);
    if (problem) return unreachable(target, problem.message.replace(`${target.ref.text}: `, ""));
  }
  const source = openSource(target.ref);
  const backupTime = source.ok
    ? await source.value.backupTime()
    : await lstat(target.ref.location).then(
        (s) => s.mtime,
        () => null,
      );
  if (backupTime === null)
    return unreachable(
      target,
      source.ok
        ? `cannot be listed (run \`recoverable drill --source ${target.ref.text}\` to see why)`
        : firstFinding(source).message,
    );
  return {
    ...blank(target),
    backupTime,
    holdings: {
      checked: false,
      reason: `not checked without restoring: \`recoverable drill --source ${target.ref.text}\` proves what it holds`,
    },
  };
}
