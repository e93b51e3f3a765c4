// What a drill is asked to do, as values the verb's planner made (verbs/drill-plan.ts), what it
// runs with (the clock, progress, the abort signal), and what it hands back.
import type { DrillConfig } from "../documents/drill-config.js";
import type { Scenario } from "../documents/types.js";
import { ArtifactTable } from "../documents/artifact-table.js";
import type { ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import type { Evidence, EvidenceFiles } from "../documents/identity-chain.js";
import type { DigestSet } from "../identity/digest.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import type { RestoreSource } from "../archive/source.js";
import type { ShardSelection } from "../shard/assign.js";
import type { SampleSpec } from "../store/sample.js";
import type { SampleOutcome, StoreCheckCounts } from "../store/verify-store.js";
import type { Interruption } from "../util/run-scope.js";
import type { ProgressReporter } from "../util/progress.js";
import type { DrillReport, StageRecord } from "../documents/drill-report.js";

export type DrillMode =
  | {
      readonly kind: "restore";
      readonly source: RestoreSource;
      /** The directory under which the drill makes its own scratch directory; null: the OS temp. */
      readonly scratchParent: string | null;
      readonly keep: boolean;
    }
  | { readonly kind: "live"; readonly root: string; readonly url: string };

export type RestoreMode = Extract<DrillMode, { kind: "restore" }>;

export type DrillPlan = {
  /** The packet, provenance and rollback policy; the manifest is held as `artifacts`. */
  readonly evidence: Omit<Evidence, "manifest">;
  /**
   * The manifest's artifacts, never the parsed objects: the file read a window at a time when
   * it is in the walk's order, else in compact columns (always in columns with --shard).
   */
  readonly artifacts: ReleaseArtifacts;
  /** The store paths of the release's pg_dump artifacts: a dataset's kind is asked of them. */
  readonly pgdumps: ReadonlySet<string>;
  /** The manifest's digest, for the identity chain. */
  readonly manifestDigest: DigestSet;
  /** The evidence documents as shown in findings and reports. */
  readonly files: EvidenceFiles;
  /** The same documents' absolute paths: the service, in its own directory, gets {packet}. */
  readonly paths: EvidenceFiles;
  readonly config: DrillConfig;
  readonly mode: DrillMode;
  /** The operator allows a release below the store's high-water mark (--allow-downgrade). */
  readonly allowDowngrade: boolean;
  /** --shard i/n: check only this share of the manifest; shard 1 alone runs the service. */
  readonly shard: ShardSelection | null;
  /** drill --scenario: its RTO and RPO replace the policy's objectives. */
  readonly scenario: Scenario | null;
  /** drill --sample: check the content of only this share of the artifacts; null: all of it. */
  readonly sample: SampleSpec | null;
};

/** What a drill runs with, apart from its plan: the edges of the machine. */
export type DrillRuntime = {
  /** Times the stages; the drill's reference time is read from it once, as it starts. */
  readonly now: () => Date;
  /** Told how far the restore and the store check are. */
  readonly progress: ProgressReporter;
  /**
   * Aborted when the run is interrupted (the CLI: SIGINT or SIGTERM): the drill gives up the
   * stage it is in, stops what it started, removes its scratch place and builds no report.
   */
  readonly signal: AbortSignal;
};

export type DrillOutcome = {
  readonly stages: readonly StageRecord[];
  /** The store checks by check and role (of the shard, in a shard drill); null: not checked. */
  readonly storeCounts: StoreCheckCounts | null;
  /** drill --sample: what the sample checked, with its paths; null: unsampled or not checked. */
  readonly storeSample: SampleOutcome | null;
  readonly findings: ClassifiedFinding[];
  readonly scratchKept: string | null;
  /** The reaper's notes this drill reports: to be removed once its report is written. */
  readonly reapedNotes: readonly string[];
} & (
  | { readonly interrupted: null; readonly report: DrillReport }
  | { readonly interrupted: Interruption; readonly report: null }
);

/**
 * In a shard drill, shard 1 alone starts the service and probes it: n services against n
 * partial checks would prove the same thing n times. The other shards skip those stages.
 */
export function runsService(plan: Pick<DrillPlan, "shard">): boolean {
  return plan.shard === null || plan.shard.spec.index === 1;
}

/**
 * A shard drill's artifacts, in the compact columns its loader filled (src/verbs/drill-load.ts):
 * the shard is chosen from them, and strays are judged against them.
 */
export function shardColumns(plan: Pick<DrillPlan, "artifacts">): ArtifactTable {
  if (plan.artifacts instanceof ArtifactTable) return plan.artifacts;
  throw new Error("a shard drill was planned without its artifacts in compact columns");
}
