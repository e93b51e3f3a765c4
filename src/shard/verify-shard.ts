// verify --shard's run: one shard's share of the store check, and the signed shard report,
// written whatever the verdict: a signed "not proven" is evidence too.
import { join } from "node:path";
import type { Manifest } from "../documents/types.js";
import { toPublicFinding, type ClassifiedFinding } from "../findings/finding.js";
import { verdictOf } from "../findings/verdict.js";
import { digestOfJSON, type DigestSet } from "../identity/digest.js";
import { storeChecks } from "../report/drill-report.js";
import type { Signer } from "../report/signing.js";
import { writeSignedReport, type SignedReportPaths } from "../report/write-signed.js";
import type { StoreVerification, VerifyStoreOptions } from "../store/verify-store.js";
import { compactUTC } from "../util/compact-time.js";
import { displayPath } from "../util/display-path.js";
import { VERSION } from "../util/version.js";
import { selectShard, type ShardSelection, type ShardSpec } from "./assign.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type VerifyShardReport,
} from "./shard-report.js";
import { verifyShardStore } from "./verify-shard-store.js";

export type ShardRun = {
  readonly root: string;
  readonly manifest: Manifest;
  readonly spec: ShardSpec;
  readonly signer: Signer;
  readonly release: { readonly releaseId: string; readonly releaseIdentity: DigestSet };
  /** The identity chain's findings: every shard report carries them. */
  readonly chainFindings: readonly ClassifiedFinding[];
  /** Where the report goes; null: `<reportsDir>/<release>-<start time>`. */
  readonly out: string | null;
  readonly reportsDir: string;
  readonly storeOptions: Pick<VerifyStoreOptions, "strict" | "progress" | "postgres" | "exclude">;
  readonly startedAt: Date;
  readonly now: () => Date;
};

export type ShardOutcome = {
  readonly findings: readonly ClassifiedFinding[];
  readonly store: StoreVerification;
  readonly selection: ShardSelection;
  readonly report: SignedReportPaths;
};

function reportOf(run: ShardRun, selection: ShardSelection, store: StoreVerification) {
  const findings = [...run.chainFindings, ...store.findings];
  const report: VerifyShardReport = {
    schemaVersion: 1,
    tool: { name: "recoverable", version: VERSION },
    kind: "verify",
    releaseId: run.release.releaseId,
    releaseIdentity: run.release.releaseIdentity,
    manifest: summarizeManifest(run.manifest, digestOfJSON(run.manifest)),
    shard: coverageOf(selection),
    storeRoot: displayPath(run.root),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.now().toISOString(),
    checked: store.checked,
    checks: storeChecks(selection.artifacts, store.findings, true),
    findings: findings.map(toPublicFinding),
    verdict: verdictOf(findings),
  };
  return { findings, report };
}

export async function verifyShard(run: ShardRun): Promise<ShardOutcome> {
  const selection = selectShard(run.manifest.artifacts, run.spec);
  const store = await verifyShardStore(run.root, run.manifest, selection, run.storeOptions);
  const { findings, report } = reportOf(run, selection, store);
  const { releaseId, releaseIdentity } = run.release;
  const outDir = run.out ?? join(run.reportsDir, `${releaseId}-${compactUTC(run.startedAt)}`);
  const paths = await writeSignedReport({
    outDir,
    baseName: shardFileName(run.spec, ""),
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId,
    releaseIdentity,
    report,
    signer: run.signer,
  });
  return { findings, store, selection, report: paths };
}
