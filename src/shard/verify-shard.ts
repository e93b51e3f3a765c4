// verify --shard's run: one shard's share of the store check, and the signed shard report,
// written whatever the verdict: a signed "not proven" is evidence too. The manifest is read a
// window at a time and the report's checks are summarised above 10,000 artifacts, so memory
// does not grow with the number of artifacts.
import { join } from "node:path";
import type { ArtifactWindows } from "../documents/artifact-windows.js";
import { toPublicFinding, type ClassifiedFinding } from "../findings/finding.js";
import { verdictOf } from "../findings/verdict.js";
import type { DigestSet } from "../identity/digest.js";
import type { Signer } from "../report/signing.js";
import { writeSignedReport, type SignedReportPaths } from "../report/write-signed.js";
import type { StoreVerification, VerifyStoreOptions } from "../store/verify-store.js";
import { compactUTC } from "../util/compact-time.js";
import { displayPath } from "../util/display-path.js";
import { VERSION } from "../util/version.js";
import type { ShardSpec } from "./assign.js";
import { shardChecks } from "./check-groups.js";
import type { ShardAssignment } from "./plan-shards.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type ShardCoverage,
  type VerifyShardReport,
} from "./shard-report.js";
import { shardWindows, verifyShardWindows } from "./verify-shard-store.js";

export type ShardRun = {
  readonly root: string;
  /** The whole manifest's artifacts, and the split computed from them. */
  readonly artifacts: ArtifactWindows;
  readonly manifestDigest: DigestSet;
  readonly assignment: ShardAssignment;
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
  readonly coverage: ShardCoverage;
  readonly report: SignedReportPaths;
};

async function reportOf(run: ShardRun, store: StoreVerification) {
  const findings = [...run.chainFindings, ...store.findings];
  const mine = shardWindows(run.artifacts, run.assignment, run.spec.index);
  const report: VerifyShardReport = {
    schemaVersion: 1,
    tool: { name: "recoverable", version: VERSION },
    kind: "verify",
    releaseId: run.release.releaseId,
    releaseIdentity: run.release.releaseIdentity,
    manifest: summarizeManifest(run.assignment, run.manifestDigest),
    shard: coverageOf(run),
    storeRoot: displayPath(run.root),
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.now().toISOString(),
    checked: store.checked,
    checks: await shardChecks(mine, store.findings),
    findings: findings.map(toPublicFinding),
    verdict: verdictOf(findings),
  };
  return { findings, report };
}

export async function verifyShard(run: ShardRun): Promise<ShardOutcome> {
  const store = await verifyShardWindows(run.root, run.artifacts, run, run.storeOptions);
  const { findings, report } = await reportOf(run, store);
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
  return { findings, store, coverage: report.shard, report: paths };
}
