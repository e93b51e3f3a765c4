// The drill's store stages: restore the backup into the scratch place (the restore checks the
// tree against the manifest before it is put in place), then say what the check of the store
// found; in live mode, check the store that is up.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { eachArtifact } from "../documents/load-tabled-evidence.js";
import type { BackupRecord } from "../archive/backup-record.js";
import { findingOfError } from "../findings/errors.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { executeRestore, type VerifyRestored } from "../restore/execute.js";
import { createRestorePlan } from "../restore/plan.js";
import { verifyShardStore } from "../shard/verify-shard-store.js";
import { bytesPinnedByRelease } from "../store/identity-levels.js";
import { verifyStore, type SampleOutcome, type StoreCheckCounts } from "../store/verify-store.js";
import type { PGDumpChecker } from "../postgres/session.js";
import type { ReportCheck } from "../documents/drill-report.js";
import { StoreChecks } from "../report/store-checks.js";
import type { ProgressReporter } from "../util/progress.js";
import { shardColumns, type DrillPlan, type RestoreMode } from "./drill-plan.js";
import type { DrillScope } from "./drill-scope.js";
import { stageOf, type Stage } from "./stage.js";

/** What the check of the store against the manifest found. */
export type StoreCheck = {
  /** The store's findings, for its checks in the report. */
  readonly findings: readonly ClassifiedFinding[];
  /** By check and role; null: the store was not checked. */
  readonly counts: StoreCheckCounts | null;
  /** The backup's own record that pinned the bytes the release does not (docs/live-data.md). */
  readonly record: BackupRecord | null;
  /** drill --sample: what the sample checked; null: unsampled, or the store was not checked. */
  readonly sample: SampleOutcome | null;
};

export type RestoredStore = {
  readonly storeRoot: string;
  readonly backupTime: Date | null;
  readonly resolvedSource: string | null;
  readonly check: StoreCheck;
};

export const UNCHECKED: StoreCheck = { findings: [], counts: null, record: null, sample: null };

/** Restore the backup into a fresh scratch directory (restore mode only). */
export async function restoreBackup(
  plan: DrillPlan,
  mode: RestoreMode,
  scope: DrillScope,
  run: { readonly at: Date; readonly progress: ProgressReporter },
): Promise<Stage<RestoredStore>> {
  const storeRoot = join(await scope.makeScratch(mode), "store");
  let restored: RestoredStore = {
    storeRoot,
    backupTime: null,
    resolvedSource: null,
    check: UNCHECKED,
  };
  // What was learnt before a failure still goes in the report: the backup's time, its source.
  try {
    restored = { ...restored, backupTime: await mode.source.backupTime() };
    restored = { ...restored, resolvedSource: await mode.source.resolved() };
    const restorePlan = createRestorePlan({
      source: mode.source.ref.text,
      target: storeRoot,
      targetState: "absent",
      now: run.at,
      nonce: randomBytes(3).toString("hex"),
    });
    const verifier = verifierOf(plan, scope.postgres);
    const outcome = await executeRestore(restorePlan, mode.source, plan.artifacts, {
      verifyRestored: verifier.verify,
      progress: run.progress,
    });
    const check = {
      findings: outcome.findings,
      counts: outcome.checked,
      record: outcome.record ?? null,
      sample: outcome.checked === null ? null : verifier.sample(),
    };
    return stageOf(outcome.swapped, { ...restored, check }, outcome.findings);
  } catch (error) {
    return stageOf(false, restored, [findingOfError(error)]);
  }
}

/**
 * The whole manifest's check (of the sample's content only, with --sample), or the shard's
 * share of it; `sample` is what the sample checked once the check has run.
 */
function verifierOf(
  plan: DrillPlan,
  postgres: PGDumpChecker,
): { verify: VerifyRestored; sample: () => SampleOutcome | null } {
  const { artifacts, shard } = plan;
  const exclude = plan.config.exclude;
  const sample = plan.sample === null ? {} : { sample: plan.sample };
  let sampled: SampleOutcome | null = null;
  const verify: VerifyRestored =
    shard === null
      ? async (root, options) => {
          const verified = await verifyStore(root, artifacts, {
            ...options,
            postgres,
            exclude,
            ...sample,
          });
          sampled = verified.sample;
          return verified;
        }
      : (root, options) =>
          verifyShardStore(root, shardColumns(plan), shard, { ...options, postgres, exclude });
  return { verify, sample: () => sampled };
}

/**
 * Verify the store. A restore has checked it already (`restored`); live mode checks it here.
 * Returns the check for the report.
 */
export async function verifyTheStore(
  plan: DrillPlan,
  storeRoot: string,
  restored: StoreCheck | null,
  scope: DrillScope,
  progress: ProgressReporter,
): Promise<Stage<StoreCheck>> {
  const check = restored ?? (await checkLiveStore(plan, storeRoot, scope, progress));
  const found = restored === null ? check.findings : [];
  const findings =
    check.counts === null ? found : [...found, ...(await contentRulesOnly(plan, check))];
  return stageOf(!hasErrors(check.findings), check, findings);
}

async function checkLiveStore(
  plan: DrillPlan,
  storeRoot: string,
  scope: DrillScope,
  progress: ProgressReporter,
): Promise<StoreCheck> {
  const { artifacts } = plan;
  const options = { progress, postgres: scope.postgres, exclude: plan.config.exclude };
  const sample = plan.sample === null ? {} : { sample: plan.sample };
  const verification =
    plan.shard === null
      ? await verifyStore(storeRoot, artifacts, { ...options, ...sample })
      : await verifyShardStore(storeRoot, shardColumns(plan), plan.shard, options);
  const { findings, checked, sample: sampled } = verification;
  return { findings, counts: checked, record: null, sample: sampled };
}

/**
 * Live data whose bytes no record pinned is said once, as an info finding: the report's checks
 * say it artifact by artifact.
 */
async function contentRulesOnly(plan: DrillPlan, check: StoreCheck): Promise<ClassifiedFinding[]> {
  if (check.record !== null) return [];
  // Counted as they go by, the first five named: nothing kept per artifact.
  let count = 0;
  const named: string[] = [];
  await eachArtifact(plan.shard?.artifacts ?? plan.artifacts, (artifact) => {
    if (artifact.role === "disposable" || bytesPinnedByRelease(artifact)) return;
    if (count++ < 5) named.push(artifact.path);
  });
  const unpinned = { length: count };
  if (unpinned.length === 0) return [];
  const source = plan.mode.kind === "restore" ? plan.mode.source.ref.text : "the live store";
  const one = unpinned.length === 1;
  return [
    createFinding("bytes_not_pinned", {
      subject: source,
      severity: "info",
      expected: "a backup record of every byte (a snapshot, or an archive exported from one)",
      actual: "no record",
      message: `${source} has no record of its own bytes, so ${unpinned.length} artifact${one ? " was" : "s were"} checked by the content rules of ${one ? "its level" : "their levels"} only: ${named.join(", ")}${unpinned.length > 5 ? ", ..." : ""}`,
    }),
  ];
}

/**
 * The report's store checks: one per artifact of the manifest (or the shard), each failed when
 * an error finding names it; above a threshold the passed ones summarised (src/report/
 * store-checks.ts), made as the artifacts go by, so a windowed manifest is never held whole.
 */
export async function storeReportChecks(
  plan: DrillPlan,
  store: StoreCheck,
): Promise<ReportCheck[]> {
  const artifacts = plan.shard?.artifacts ?? plan.artifacts;
  const run = { checked: store.counts !== null, record: store.record, sample: plan.sample };
  const checks = new StoreChecks(artifacts.length, store.findings, run);
  await eachArtifact(artifacts, (artifact) => {
    checks.add(artifact);
  });
  return checks.checks();
}
