// A snapshot repository: a directory with a marker file, content-addressed blobs and one
// metadata document per snapshot. A snapshot exists only once its metadata is written
// (atomically, last), so an interrupted snapshot leaves blobs nobody references and nothing
// that looks like a snapshot; `prune` frees those blobs.
//
//   <repo>/recoverable-repository.json   {"schemaVersion": 1, "kind": "recoverable-snapshots"}
//   <repo>/blobs/<aa>/<sha256 hex>        file bytes, read-only, stored once however many use them
//   <repo>/snapshots/<id>.json            metadata (schemas/snapshot.schema.json)
//   <repo>/tmp/                           staging of snapshots in progress
//   <repo>/lock                           one writer at a time (snapshot, prune)
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { loadDocument } from "../documents/load-evidence.js";
import type { SnapshotMetadata } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import { compactUTC } from "../util/compact-time.js";
import { displayPath } from "../util/display-path.js";
import { formatJSON, writeFileAtomic } from "../util/atomic-write.js";
import { acquireLock, currentHolder, describeHolder, releaseLock } from "../util/lock-file.js";
import { entryTypeAt } from "../store/walk-store.js";

export { isValid } from "./find-snapshot.js";

const MARKER = "recoverable-repository.json";
const MARKER_CONTENT = { schemaVersion: 1, kind: "recoverable-snapshots" };

export type Repository = {
  readonly root: string;
  readonly blobs: string;
  readonly snapshots: string;
  readonly tmp: string;
  readonly lock: string;
};

function repositoryAt(root: string): Repository {
  return {
    root,
    blobs: join(root, "blobs"),
    snapshots: join(root, "snapshots"),
    tmp: join(root, "tmp"),
    lock: join(root, "lock"),
  };
}

export function blobPath(repo: Repository, sha256: string): string {
  return join(repo.blobs, sha256.slice(0, 2), sha256);
}

function notARepository(root: string, why: string): ClassifiedFinding {
  const shown = displayPath(root);
  return createFinding("usage_invalid", {
    subject: "--repo",
    actual: shown,
    message: `${shown} ${why}`,
    hint: "Name a snapshot repository made by `recoverable snapshot --repo <dir>` (an absent or empty directory becomes one).",
  });
}

/** Opens a repository that must already exist (list, validate, diff, prune, sources). */
export async function openRepository(root: string): Promise<Checked<Repository>> {
  const type = await entryTypeAt(root);
  if (type === null) return failed(notARepository(root, "does not exist"));
  if (type !== "dir") return failed(notARepository(root, "is not a directory"));
  try {
    const marker = JSON.parse(await readFile(join(root, MARKER), "utf8")) as { kind?: unknown };
    if (marker.kind !== MARKER_CONTENT.kind)
      return failed(notARepository(root, `has a ${MARKER} that is not a recoverable repository's`));
  } catch {
    return failed(notARepository(root, `is not a snapshot repository (no ${MARKER})`));
  }
  return ok(repositoryAt(root));
}

/** Opens a repository, making it first when the directory is absent or empty (snapshot). */
export async function openOrCreateRepository(root: string): Promise<Checked<Repository>> {
  const type = await entryTypeAt(root);
  if (type === "dir" && (await readdir(root)).length > 0) return openRepository(root);
  if (type !== null && type !== "dir") return failed(notARepository(root, "is not a directory"));
  const repo = repositoryAt(root);
  for (const dir of [repo.root, repo.blobs, repo.snapshots, repo.tmp])
    await mkdir(dir, { recursive: true });
  await writeFileAtomic(join(root, MARKER), formatJSON(MARKER_CONTENT));
  return ok(repo);
}

/** A snapshot id: its UTC time to the second, then 8 random hex digits (sorts by time). */
export function newSnapshotId(time: Date): string {
  return `${compactUTC(time)}-${randomBytes(4).toString("hex")}`;
}

export function currentHost(): string {
  return hostname();
}

export type LoadedSnapshots = {
  /** Newest first. */
  readonly snapshots: SnapshotMetadata[];
  /** Metadata documents that cannot be read or are invalid: named, never silently skipped. */
  readonly findings: ClassifiedFinding[];
};

export async function listSnapshots(repo: Repository): Promise<LoadedSnapshots> {
  let names: string[];
  try {
    names = (await readdir(repo.snapshots)).filter(
      (n) => n.endsWith(".json") && !n.startsWith("."),
    );
  } catch {
    names = [];
  }
  const loaded = await Promise.all(
    names.map((name) => loadDocument("snapshot", join(repo.snapshots, name), "snapshot metadata")),
  );
  const snapshots: SnapshotMetadata[] = [];
  const findings: ClassifiedFinding[] = [];
  for (const one of loaded) {
    if (one.value) snapshots.push(one.value);
    findings.push(...one.findings);
  }
  snapshots.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : b.id.localeCompare(a.id)));
  return { snapshots, findings };
}

export function snapshotFile(repo: Repository, id: string): string {
  return join(repo.snapshots, `${id}.json`);
}

export async function writeSnapshotMetadata(
  repo: Repository,
  metadata: SnapshotMetadata,
): Promise<void> {
  await writeFileAtomic(snapshotFile(repo, metadata.id), formatJSON(metadata));
}

/**
 * One writer at a time (snapshot, prune): the repository's lock file, taken atomically and naming
 * its holder; a lock whose holder died is taken over. A running holder is `repository_locked`.
 */
export async function lockRepository(
  repo: Repository,
  verb: string,
): Promise<(() => Promise<void>) | ClassifiedFinding> {
  const attempt = await acquireLock(repo.lock, () => currentHolder(verb));
  if (attempt.acquired) return () => releaseLock(repo.lock);
  const shown = displayPath(repo.root);
  const who = describeHolder(attempt.holder);
  return createFinding("repository_locked", {
    subject: shown,
    actual: `locked by ${who}`,
    message: `${shown}: ${who} is writing to this repository (its lock ${displayPath(repo.lock)})`,
  });
}

/** Removes staging left by interrupted snapshots (only under the lock). */
export async function clearStaging(repo: Repository): Promise<void> {
  await rm(repo.tmp, { recursive: true, force: true });
  await mkdir(repo.tmp, { recursive: true });
}
