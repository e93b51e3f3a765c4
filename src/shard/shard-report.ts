// The shard report (pure): what one shard of a verify or a drill checked, and the coverage a
// merge needs to prove that the shards together checked every artifact once. It travels as
// the predicate of an in-toto Statement about the release, with its own predicate type, so a
// shard report is never taken for a whole drill report by report verify, gate or audit.
import type { Finding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import type { DigestSet } from "../identity/digest.js";
import { digestOfJSON } from "../identity/digest.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { ASSIGNMENT_RULE, type ShardSelection } from "./assign.js";
import type { Manifest } from "../documents/types.js";
import type { DrillReport, ReportCheck } from "../documents/drill-report.js";

export const SHARD_REPORT_PREDICATE_TYPE = "https://recoverable.dev/shard-report/v1";

/** The whole manifest a shard was cut from: merge checks the shards add up to it. */
export type ManifestSummary = {
  readonly digest: DigestSet;
  readonly artifacts: number;
  readonly bytes: number;
};

/** Which part of the manifest one shard covered. */
export type ShardCoverage = {
  readonly index: number;
  readonly count: number;
  readonly assignment: string;
  readonly artifacts: number;
  readonly bytes: number;
  /** The shard's artifact paths, sorted. */
  readonly paths: readonly string[];
  /** sha256 of the RFC 8785 form of `paths`. */
  readonly pathsDigest: DigestSet;
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

export function summarizeManifest(manifest: Manifest, digest: DigestSet): ManifestSummary {
  return {
    digest,
    artifacts: manifest.artifacts.length,
    bytes: manifest.artifacts.reduce((sum, artifact) => sum + artifact.size, 0),
  };
}

export function coverageOf(selection: ShardSelection): ShardCoverage {
  return {
    index: selection.spec.index,
    count: selection.spec.count,
    assignment: ASSIGNMENT_RULE,
    artifacts: selection.artifacts.length,
    bytes: selection.bytes,
    paths: selection.paths,
    pathsDigest: digestOfJSON(selection.paths),
  };
}

/** The envelope file of a shard: distinct per shard, so a matrix's artifacts can share a folder. */
export function shardFileName(coverage: { index: number; count: number }, suffix: string): string {
  return `shard-${coverage.index}-of-${coverage.count}${suffix}`;
}
