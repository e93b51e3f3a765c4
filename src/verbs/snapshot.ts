// snapshot: a consistent, validated snapshot of a live store root into a repository.
import { resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import type { SnapshotMetadata } from "../documents/types.js";
import { planSnapshot } from "../snapshots/snapshot-plan.js";
import { takeSnapshot } from "../snapshots/take-snapshot.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, storeRootOf, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { releaseOf } from "./snapshot-release.js";

export type SnapshotOptions = CommonOptions & {
  readonly repo: string;
  readonly label?: string;
  /** Globs of paths to leave out, beside the drill config's `exclude` (--exclude). */
  readonly exclude?: readonly string[];
  readonly now?: () => Date;
};

export type SnapshotResult = VerbResult<{
  snapshotId: string | null;
  repo: string;
  validation: SnapshotMetadata["validation"] | null;
  totals: SnapshotMetadata["totals"] | null;
}>;

export async function snapshot(options: SnapshotOptions): Promise<SnapshotResult> {
  const repo = resolve(options.cwd ?? process.cwd(), options.repo);
  const none = { snapshotId: null, repo: displayPath(repo), validation: null, totals: null };
  const loaded = await loadContext(options);
  if (!loaded.ok) return createResult("snapshot", loaded.findings, NO_RELEASE, none);
  const root = storeRootOf(loaded.value, options.root);
  if (!root.ok) return createResult("snapshot", root.findings, NO_RELEASE, none);
  const plan = planSnapshot({ ...options, config: loaded.value.config });
  if (!plan.ok) return createResult("snapshot", plan.findings, NO_RELEASE, none);
  // The evidence names the release the snapshot holds; without it the snapshot is still taken.
  const evidence = await loadEvidence(loaded.value.evidence);
  const outcome = await takeSnapshot({
    ...plan.value,
    repoRoot: repo,
    storeRoot: root.value,
    evidence: evidence.ok ? evidence.evidence : null,
    evidenceFiles: evidence.ok ? evidence.files : null,
    now: options.now ?? (() => new Date()),
  });
  const taken = outcome.snapshot;
  return createResult("snapshot", outcome.findings, releaseOf(taken ?? null), {
    snapshotId: taken?.id ?? null,
    repo: displayPath(repo),
    validation: taken?.validation ?? null,
    totals: taken?.totals ?? null,
  });
}
