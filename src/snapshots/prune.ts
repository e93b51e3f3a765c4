// `snapshots prune`: forget the snapshots restic's rules would forget, then free the blobs no
// remaining snapshot references. The newest valid snapshot is never removed; snapshots that
// failed validation when they were made are never kept by a rule (they are not backups).
import { lstat, opendir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { SnapshotMetadata } from "../documents/types.js";
import { hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { applyRetention, type RetentionRules } from "./retention.js";
import {
  clearStaging,
  isValid,
  listSnapshots,
  lockRepository,
  snapshotFile,
  type Repository,
} from "./repository.js";

export type PruneRules = RetentionRules;

export type PruneDecision = {
  readonly id: string;
  readonly time: string;
  readonly label: string | null;
  readonly reasons: readonly string[];
};

export type PruneOutcome = {
  readonly findings: ClassifiedFinding[];
  readonly kept: PruneDecision[];
  readonly removed: PruneDecision[];
  readonly freedBlobs: number;
  readonly freedBytes: number;
};

const NEWEST_VALID = "newest valid snapshot (never removed)";
const INVALID = "failed validation when it was made";

/** Which snapshots stay and which go, with why (pure). */
function planPrune(
  snapshots: readonly SnapshotMetadata[],
  rules: PruneRules,
  now: Date,
): { kept: PruneDecision[]; removed: PruneDecision[] } {
  const valid = snapshots.filter(isValid);
  const decisions = applyRetention(
    valid.map((s) => ({ id: s.id, time: new Date(s.time), snapshot: s })),
    rules,
    { now },
  );
  const kept: PruneDecision[] = [];
  const removed: PruneDecision[] = [];
  const newest = valid[0]?.id;
  for (const { snapshot, keep, reasons } of decisions) {
    const decision = {
      id: snapshot.id,
      time: snapshot.snapshot.time,
      label: snapshot.snapshot.label,
    };
    if (keep) kept.push({ ...decision, reasons });
    else if (snapshot.id === newest) kept.push({ ...decision, reasons: [NEWEST_VALID] });
    else removed.push({ ...decision, reasons });
  }
  for (const snapshot of snapshots.filter((s) => !isValid(s)))
    removed.push({
      id: snapshot.id,
      time: snapshot.time,
      label: snapshot.label,
      reasons: [INVALID],
    });
  const newestFirst = (a: PruneDecision, b: PruneDecision) =>
    a.time < b.time ? 1 : a.time > b.time ? -1 : 0;
  return { kept: kept.sort(newestFirst), removed: removed.sort(newestFirst) };
}

export async function pruneRepository(
  repo: Repository,
  rules: PruneRules,
  { dryRun, now = new Date() }: { readonly dryRun: boolean; readonly now?: Date },
): Promise<PruneOutcome> {
  const empty = { kept: [], removed: [], freedBlobs: 0, freedBytes: 0 };
  const unlock = await lockRepository(repo, "prune");
  if (typeof unlock !== "function") return { findings: [unlock], ...empty };
  try {
    const { snapshots, findings } = await listSnapshots(repo);
    // A snapshot whose metadata cannot be read still owns its blobs: free nothing until it is fixed.
    if (hasErrors(findings)) return { findings, ...empty };
    const plan = planPrune(snapshots, rules, now);
    const keptIds = new Set(plan.kept.map((d) => d.id));
    const referenced = new Set(
      snapshots
        .filter((s) => keptIds.has(s.id))
        .flatMap((s) => s.entries.flatMap((e) => (e.type === "file" ? [e.digest.sha256] : []))),
    );
    if (!dryRun) {
      for (const decision of plan.removed)
        await rm(snapshotFile(repo, decision.id), { force: true });
      await clearStaging(repo);
    }
    const freed = await freeBlobs(repo, referenced, { dryRun });
    return { findings, ...plan, ...freed };
  } finally {
    await unlock();
  }
}

/** Deletes (or, for a dry run, counts) every blob no kept snapshot references. */
async function freeBlobs(
  repo: Repository,
  referenced: ReadonlySet<string>,
  { dryRun }: { readonly dryRun: boolean },
): Promise<{ freedBlobs: number; freedBytes: number }> {
  let freedBlobs = 0;
  let freedBytes = 0;
  let shards;
  try {
    shards = await opendir(repo.blobs);
  } catch {
    return { freedBlobs, freedBytes };
  }
  for await (const shard of shards) {
    if (!shard.isDirectory()) continue;
    for await (const blob of await opendir(join(repo.blobs, shard.name))) {
      if (referenced.has(blob.name)) continue;
      const path = join(repo.blobs, shard.name, blob.name);
      freedBytes += (await lstat(path)).size;
      freedBlobs++;
      if (!dryRun) await rm(path, { force: true });
    }
  }
  return { freedBlobs, freedBytes };
}
