// report merge: verify every shard report with the trusted key, refuse a set that is not one
// whole split of one release, and sign one merged report. Signature first: nothing in an
// unverified payload is believed, and nothing is written unless the set is whole.
import { join, resolve } from "node:path";
import { allChecked, failedWith, ok, type Checked } from "../findings/checked.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { loadSignerFrom } from "../report/load-signer.js";
import { loadTrustedKey, readEnvelope } from "../report/trusted-reports.js";
import { writeSignedReport, type SignedReportPaths } from "../report/write-signed.js";
import {
  MERGED_REPORT_PREDICATE_TYPE,
  mergeShardReports,
  type MergedReport,
} from "../shard/merge.js";
import { openShardReport } from "../shard/open-shard-reports.js";
import type { ShardReportView } from "../shard/read-shard-report.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { compactUTC } from "../util/compact-time.js";
import { secretLocation } from "../util/secret-location.js";
import { VERSION } from "../util/version.js";
import { loadContext } from "./evidence-context.js";
import { planReportMerge, type MergePlan, type ReportMergeFlags } from "./report-merge-plan.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type ReportMergeOptions = ReportMergeFlags & {
  readonly envelopes: readonly string[];
  /** The trusted public key every shard report must be signed by. */
  readonly key: string;
  /** The private key that signs the merged report (default: signing.key of the drill config). */
  readonly signingKey?: string;
  readonly config?: string;
  readonly now?: () => Date;
  readonly cwd?: string;
};

export type MergedSummary = {
  readonly shards: readonly {
    readonly index: number;
    readonly file: string;
    readonly verdict: string;
    readonly artifacts: number;
    readonly bytes: number;
  }[];
  readonly report: SignedReportPaths;
};

export type ReportMergeResult = VerbResult<{
  checked: StoreCheckCounts | null;
  merged: MergedSummary | null;
}>;

/** Each envelope opened as soon as it is read (one at a time); a failed read is said first. */
type Opened = Checked<ShardReportView>;

/** Inputs, all checked before any verdict: config, --release, both keys, every envelope. */
async function loadAndPlan(options: ReportMergeOptions): Promise<Checked<MergePlan<Opened>>> {
  const context = await loadContext(options);
  if (!context.ok) return context;
  const { cwd, config } = context.value;
  const key = await loadTrustedKey(resolve(cwd, options.key));
  const signer = await loadSignerFrom(
    "--signing-key",
    options.signingKey === undefined ? null : secretLocation(cwd, options.signingKey),
    config.signingKey,
  );
  const envelopes: Checked<Opened>[] = [];
  for (const path of options.envelopes) {
    const read = await readEnvelope(resolve(cwd, path));
    if (!read.ok) envelopes.push(failedWith(read.findings));
    else envelopes.push(ok(key.ok ? openShardReport(read.value, key.value) : failedWith([])));
  }
  return planReportMerge(options, context.value, { key, signer, envelopes });
}

/** The merged report, signed, whatever its verdict: a signed "not proven" is evidence too. */
async function writeMerged(
  plan: MergePlan<Opened>,
  merged: MergedReport,
  now: Date,
): Promise<MergedSummary> {
  const outDir = plan.out ?? join(plan.reportsDir, `${merged.releaseId}-merged-${compactUTC(now)}`);
  const report = await writeSignedReport({
    outDir,
    baseName: "merged-report",
    predicateType: MERGED_REPORT_PREDICATE_TYPE,
    releaseId: merged.releaseId,
    releaseIdentity: merged.releaseIdentity,
    report: merged,
    signer: plan.signer,
  });
  const shards = merged.shards.map(({ index, file, verdict, artifacts, bytes }) => ({
    ...{ index, file, verdict, artifacts, bytes },
  }));
  return { shards, report };
}

export async function reportMerge(options: ReportMergeOptions): Promise<ReportMergeResult> {
  const now = (options.now ?? (() => new Date()))();
  const fail = (findings: readonly ClassifiedFinding[]): ReportMergeResult =>
    createResult("report merge", findings, NO_RELEASE, { checked: null, merged: null });
  const plan = await loadAndPlan(options);
  if (!plan.ok) return fail(plan.findings);
  const views = allChecked(plan.value.envelopes);
  if (!views.ok) return fail(views.findings);
  // One release, one split, every artifact once; then the union and the worst verdict.
  const release = plan.value.release;
  const outcome = mergeShardReports(views.value, {
    ...(release === null ? {} : { release }),
    now,
    version: VERSION,
  });
  const merged = outcome.report;
  if (merged === null) return fail(outcome.findings);
  const summary = await writeMerged(plan.value, merged, now);
  const { releaseId, releaseIdentity } = merged;
  return createResult(
    "report merge",
    outcome.findings,
    { releaseId, releaseIdentity },
    {
      checked: merged.checked,
      merged: summary,
    },
  );
}
