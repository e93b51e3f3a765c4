// What drill is given and what it answers: the library's DrillOptions and DrillResult
// (docs/library.md), which the loader, the planner and the runner of ./drill.ts share.
import type { Objective, StageRecord } from "../documents/drill-report.js";
import type { ReportPaths } from "../drill/outputs.js";
import type { CommonOptions } from "./evidence-context.js";
import type { VerbResult } from "./result.js";
import type { ShardSummary, VerifySample } from "./verify.js";

export type DrillOptions = CommonOptions & {
  /** Default: the backup of the drill config named by `backup`, else its authoritative one. */
  readonly source?: string;
  /** The name of a backup of the drill config's `backups` to drill (its source, relative to it). */
  readonly backup?: string;
  readonly scratch?: string;
  /** An age identity file, for `.age` archives. */
  readonly identity?: string;
  readonly key?: string;
  readonly out?: string;
  readonly keep?: boolean;
  /** Drill a release below the store's high-water mark, when the policy allows downgrades. */
  readonly allowDowngrade?: boolean;
  /** `i/n`: check only shard i of n and sign a shard report instead of a drill report. */
  readonly shard?: string;
  /** Check the content of only this share of the artifacts: `5%` or `0.05` (as verify --sample). */
  readonly sample?: string;
  /** With sample: which window of artifacts (default: the day number, so daily runs rotate). */
  readonly seed?: string | number;
  /** A failure scenario of the rollback policy whose RTO and RPO the drill is judged against. */
  readonly scenario?: string;
  readonly live?: boolean;
  readonly url?: string;
  readonly now?: () => Date;
  /**
   * Interrupts the drill when it aborts: it stops what it started, removes its scratch place,
   * writes no report, and its result has the `interrupted` finding. The CLI passes one that
   * SIGINT and SIGTERM abort; the library never handles a signal itself.
   */
  readonly signal?: AbortSignal;
};

export type DrillResult = VerbResult<{
  /** Only with --shard. */
  shard?: ShardSummary;
  /** Only with --sample: what the sample checked, as verify --sample says it. */
  sample?: VerifySample;
  report: ReportPaths | null;
  rto: Objective | null;
  rpo: Objective | null;
  stages: readonly StageRecord[];
  scratchKept: string | null;
  /**
   * Who pinned the bytes of the store checks, when the release does not pin them all (live
   * data, docs/live-data.md): "bytes pinned by: the release 4, the backup record (...) 3, ...".
   */
  pinned?: string;
  /** drill --scenario: the failure scenario whose RTO and RPO targets the drill was judged against. */
  scenario?: { readonly name: string; readonly rto: string; readonly rpo: string };
}>;

/** The fields of a result that has no report (bad input, or an interrupted drill). */
export const NO_REPORT = { report: null, rto: null, rpo: null, stages: [], scratchKept: null };
