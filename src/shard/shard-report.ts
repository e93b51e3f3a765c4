// The shard report (pure): what one shard of a verify or a drill checked, and the coverage a
// merge needs to prove that the shards together checked every artifact once. It travels as
// the predicate of an in-toto Statement about the release, with its own predicate type, so a
// shard report is never taken for a whole drill report by report verify, gate or audit.
import type { Finding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import type { DigestSet } from "../identity/digest.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { ASSIGNMENT_RULE, type ShardSpec } from "./assign.js";
import type { PathSetDigest } from "./path-set.js";
import type { ShardAssignment } from "./plan-shards.js";
import type { DrillReport, ReportCheck } from "../documents/drill-report.js";

export const SHARD_REPORT_PREDICATE_TYPE = "https://recoverable.dev/shard-report/v1";

/** The whole manifest a shard was cut from: merge checks the shards add up to it. */
export type ManifestSummary = {
  readonly digest: DigestSet;
  readonly artifacts: number;
  readonly bytes: number;
  /** The digest of every path of the manifest (./path-set.ts); absent in bytes-greedy-v1 reports. */
  readonly pathSet?: PathSetDigest;
};

/** Which part of the manifest one shard covered. */
export type ShardCoverage = {
  readonly index: number;
  readonly count: number;
  readonly assignment: string;
  readonly artifacts: number;
  readonly bytes: number;
  /** The digest of the shard's paths (./path-set.ts): the shards' add up to the manifest's. */
  readonly pathSet: PathSetDigest;
};

/** The fields every shard report has, whether it comes from verify or from drill. */
export type ShardFields = {
  readonly kind: "verify" | "drill";
  readonly manifest: ManifestSummary;
  readonly shard: ShardCoverage;
  /** Store checks by check and role, as verify's `checked`; null when the store was not checked. */
  readonly checked: StoreCheckCounts | null;
};

/** `verify --shard`: the shard's store checks, one per artifact, and the findings. */
export type VerifyShardReport = ShardFields & {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "recoverable"; readonly version: string };
  readonly kind: "verify";
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly storeRoot: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly checks: readonly ReportCheck[];
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
};

/** `drill --shard`: the drill report of this shard, with the shard's coverage. */
export type DrillShardReport = DrillReport &
  ShardFields & {
    readonly kind: "drill";
    /** Whether this shard started the service and ran the probes (shard 1 does). */
    readonly serviceStages: string;
  };

/** The whole manifest as the split counted it; `digest` is the manifest's. */
export function summarizeManifest(assignment: ShardAssignment, digest: DigestSet): ManifestSummary {
  const { artifacts, bytes, pathSet } = assignment.manifest;
  return { digest, artifacts, bytes, pathSet };
}

export function coverageOf(selection: {
  readonly spec: ShardSpec;
  readonly assignment: ShardAssignment;
}): ShardCoverage {
  const { index, count } = selection.spec;
  const { artifacts, bytes, pathSet } = selection.assignment.totalsOf(index);
  return { index, count, assignment: ASSIGNMENT_RULE, artifacts, bytes, pathSet };
}

/** The envelope file of a shard: distinct per shard, so a matrix's artifacts can share a folder. */
export function shardFileName(coverage: { index: number; count: number }, suffix: string): string {
  return `shard-${coverage.index}-of-${coverage.count}${suffix}`;
}
