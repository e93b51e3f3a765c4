// `snapshot`: a consistent copy of a live store root into a repository, validated from the
// bytes it wrote before it is offered to anyone.
//
//   1. lock the repository and clear staging left by interrupted snapshots
//   2. copy every file into staging (but what is not the store's, and disposable artifacts):
//      SQLite through a consistent copy, others with a check that they did not change while
//      they were copied (retried, then refused): copy-store.ts
//   3. move each staged file into the blob store under its digest (stored once), then flush
//      the repository's file system once: every blob's bytes and name are on disk
//   4. validate from the blobs: re-hash, SQLite integrity and content, JSON parse
//   5. name the release it holds, when its durable files match the sealed evidence
//   6. write the metadata, atomically and last: before that there is no snapshot
//
// Durability: the copies are not flushed one by one (an fsync per file made a snapshot of
// 8,000 small files take 71 s, 156 times `tar -cf`). Step 3 ends with one `syncfs(2)` of the
// repository's file system (src/util/sync-fs.ts), or where that is missing an fsync of each new
// blob and of each directory that gained one, as restic and git flush a pack before its index.
// The metadata that makes the snapshot exist is written after that flush (and is fsynced with
// its directory itself), so a crash at any point leaves either no snapshot or one whose every
// blob is on disk; it never leaves metadata naming a blob that was lost.
import { chmod, mkdir, rename, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { Evidence } from "../documents/identity-chain.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import type { SnapshotEntry, SnapshotMetadata } from "../documents/types.js";
import {
  createFinding,
  hasErrors,
  toPublicFinding,
  type ClassifiedFinding,
} from "../findings/finding.js";
import { heldBySnapshot, missingDurable } from "../store/holdings.js";
import { entryTypeAt } from "../store/walk-store.js";
import { checkpoint } from "../util/checkpoint.js";
import { syncEach, syncFileSystem } from "../util/sync-fs.js";
import { checkSnapshotBlobs, type BlobCheck } from "./check-snapshot.js";
import { copyStore, type CopiedStore, type Staged } from "./copy-store.js";
import { createOmitter, type Omitted } from "./omitted.js";
import {
  blobPath,
  clearStaging,
  currentHost,
  lockRepository,
  newSnapshotId,
  openOrCreateRepository,
  writeSnapshotMetadata,
  type Repository,
} from "./repository.js";

export type SnapshotRequest = {
  readonly repoRoot: string;
  readonly storeRoot: string;
  readonly label: string | null;
  /** The sealed evidence to name the release by; null when there is none to compare with. */
  readonly evidence: Evidence | null;
  readonly evidenceFiles: Record<keyof Evidence, string> | null;
  readonly now: () => Date;
  /** What is not copied: paths that are not the store's, and disposable artifacts. */
  readonly omitted?: Omitted;
  /** The `sync` program whose `-f` flushes the repository's file system (tests name another). */
  readonly syncCommand?: string;
};

export type SnapshotOutcome = {
  readonly snapshot: SnapshotMetadata | null;
  readonly findings: ClassifiedFinding[];
};

export async function takeSnapshot(request: SnapshotRequest): Promise<SnapshotOutcome> {
  const refused = await refusal(request);
  if (refused) return { snapshot: null, findings: [refused] };
  const opened = await openOrCreateRepository(request.repoRoot);
  if (!opened.ok) return { snapshot: null, findings: [...opened.findings] };
  const repo = opened.value;
  const unlock = await lockRepository(repo, "snapshot");
  if (typeof unlock !== "function") return { snapshot: null, findings: [unlock] };
  try {
    return await snapshotUnderLock(repo, request);
  } finally {
    await unlock();
  }
}

/** A store root that is not a directory, or a repository inside it; null when neither. */
async function refusal(request: SnapshotRequest): Promise<ClassifiedFinding | null> {
  if ((await entryTypeAt(request.storeRoot)) !== "dir")
    return createFinding("artifact_missing", {
      subject: request.storeRoot,
      expected: "a directory",
      actual: "absent or not a directory",
      message: `the store root ${request.storeRoot} is not a directory`,
      hint: "Check --root (or store.root in the drill config).",
    });
  const inside = relative(request.storeRoot, request.repoRoot);
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside)))
    return createFinding("usage_invalid", {
      subject: "--repo",
      actual: request.repoRoot,
      message: `the repository ${request.repoRoot} is inside the store root ${request.storeRoot}: every snapshot would hold the ones before it`,
      hint: "Keep the repository outside the store root (another directory, ideally another disk).",
    });
  return null;
}

/** Steps 2 to 6, holding the repository's lock. */
async function snapshotUnderLock(
  repo: Repository,
  request: SnapshotRequest,
): Promise<SnapshotOutcome> {
  await clearStaging(repo);
  const time = request.now();
  const id = newSnapshotId(time);
  const staging = join(repo.tmp, id);
  await mkdir(staging);
  const copied = await copyStore(request.storeRoot, staging, createOmitter(request.omitted));
  if (hasErrors(copied.findings)) {
    await rm(staging, { recursive: true, force: true });
    return { snapshot: null, findings: copied.findings };
  }
  await checkpoint("snapshot-after-copy");
  const stored = await storeBlobs(repo, copied.staged);
  await flushBlobs(repo, stored, request.syncCommand);
  await checkpoint("snapshot-after-blobs");
  await rm(staging, { recursive: true, force: true });
  const checked = await checkSnapshotBlobs(repo, { id, entries: copied.entries });
  const snapshot = metadataOf({ id, time, request, copied, checked });
  await writeSnapshotMetadata(repo, snapshot);
  return { snapshot, findings: [...copied.findings, ...checked.findings] };
}

/** The metadata: entries with their SQLite facts, the release held, the validation. */
function metadataOf(made: {
  readonly id: string;
  readonly time: Date;
  readonly request: SnapshotRequest;
  readonly copied: CopiedStore;
  readonly checked: BlobCheck;
}): SnapshotMetadata {
  const { request, copied, checked } = made;
  const entries = copied.entries.map((entry) => {
    const facts = entry.type === "file" ? checked.sqlite.get(entry.path) : undefined;
    if (entry.type !== "file" || !facts) return entry;
    const method = copied.sqliteMethods.get(entry.path) ?? "locked-copy";
    return { ...entry, sqlite: { method, ...facts } };
  });
  const findings = [...copied.findings, ...checked.findings];
  return {
    schemaVersion: 1,
    id: made.id,
    time: made.time.toISOString(),
    label: request.label,
    host: currentHost(),
    storeRoot: request.storeRoot,
    release: hasErrors(findings) ? null : releaseHeld(entries, request),
    entries,
    ...(request.omitted ? { omitted: request.omitted } : {}),
    totals: totalsOf(entries),
    validation: {
      status: hasErrors(checked.findings) ? "invalid" : "valid",
      checkedAt: request.now().toISOString(),
      findings: findings.map((f) => {
        const { code, severity, subject, message } = toPublicFinding(f);
        return { code, severity, subject, message };
      }),
    },
  };
}

/** Every blob a snapshot names, and the directories that hold them. */
type StoredBlobs = { readonly files: string[]; readonly directories: Set<string> };

/** Step 3: each staged file becomes the blob named by its digest, unless that blob exists. */
async function storeBlobs(repo: Repository, staged: readonly Staged[]): Promise<StoredBlobs> {
  const stored: StoredBlobs = { files: [], directories: new Set() };
  for (const { entry, stagedPath } of staged) {
    const blob = blobPath(repo, entry.digest.sha256);
    const directory = dirname(blob);
    stored.files.push(blob);
    if ((await entryTypeAt(blob)) === "file") {
      await rm(stagedPath, { force: true });
      continue;
    }
    if (!stored.directories.has(directory)) {
      await mkdir(directory, { recursive: true });
      stored.directories.add(directory);
    }
    await chmod(stagedPath, 0o444);
    await rename(stagedPath, blob);
  }
  for (const file of stored.files) stored.directories.add(dirname(file));
  return stored;
}

/**
 * The end of step 3: the blobs' bytes and names reach the disk before any metadata names them.
 * One flush of the file system, every time: a blob this snapshot found already there may have
 * been left unflushed by a snapshot that was killed before its own flush. Where `sync -f` is
 * missing, an fsync of every blob the snapshot names, of their directories and of the blobs
 * directory.
 */
async function flushBlobs(
  repo: Repository,
  stored: StoredBlobs,
  syncCommand = "sync",
): Promise<void> {
  if (await syncFileSystem(repo.root, syncCommand)) return;
  await syncEach(stored.files, [...stored.directories, repo.blobs]);
}

/** Step 5: the release whose every durable artifact the snapshot holds. */
function releaseHeld(
  entries: readonly SnapshotEntry[],
  request: SnapshotRequest,
): SnapshotMetadata["release"] {
  const { evidence, evidenceFiles } = request;
  if (!evidence || !evidenceFiles) return null;
  if (verifyChain(evidence, evidenceFiles).length > 0) return null;
  if (missingDurable(evidence.manifest, heldBySnapshot({ entries })).length > 0) return null;
  const { release } = evidence.packet;
  return { id: release.id, version: release.version, identity: releaseIdentityOf(evidence.packet) };
}

function totalsOf(entries: readonly SnapshotEntry[]): SnapshotMetadata["totals"] {
  let files = 0;
  let dirs = 0;
  let bytes = 0;
  for (const entry of entries) {
    if (entry.type === "dir") dirs++;
    else {
      files++;
      bytes += entry.size;
    }
  }
  return { files, dirs, bytes };
}
