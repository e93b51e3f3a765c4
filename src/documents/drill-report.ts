// The drill report as written (schemas/drill-report.schema.json) and read back: what was
// restored, every stage with its timing, every check with expected and actual, RTO and RPO, the
// rollback policy's outcomes, the findings and the verdict. report/drill-report.ts builds it.
import type { Finding } from "../findings/finding.js";
import type { Verdict } from "../findings/verdict.js";
import type { DigestSet } from "../identity/digest.js";
import type { IdentityLevel } from "./types.js";

export type CheckStatus = "passed" | "failed" | "skipped";

/** Who pinned an artifact's bytes in a check (DESIGN.md "Who pinned the bytes"). */
export type PinnedBy = "release" | "backup record" | "content rules only";

export type PolicyRule =
  | "versionFloor"
  | "allowedIds"
  | "deniedIds"
  | "maxAge"
  | "downgrade"
  | "rto"
  | "rpo"
  | "drillSchedule";

export type RuleOutcome = {
  readonly rule: PolicyRule;
  /** The policy field the rule implements, as a JSON pointer into the rollback policy. */
  readonly field: string;
  readonly passed: boolean;
  readonly expected: string;
  readonly actual: string;
  readonly message: string;
  /** Set when the rule failed but was let through on purpose (a downgrade the operator asked for). */
  readonly overridden?: true;
};

export type StageRecord = {
  readonly name: string;
  readonly status: CheckStatus;
  readonly startedAt: string;
  readonly durationMs: number;
};

export type ReportCheck = {
  readonly name: string;
  readonly kind: "store" | "probe" | "objective" | "policy";
  readonly status: CheckStatus;
  readonly subject: string;
  readonly expected: string;
  readonly actual: string;
  /** Probes: how long it took, and what an HTTP probe sent (secret header values redacted). */
  readonly durationMs?: number;
  readonly request?: { readonly method: string; readonly headers: Record<string, string> };
  /** Store checks: what the release pins of the artifact (docs/live-data.md). */
  readonly level?: IdentityLevel;
  /** Store checks: who pinned its bytes (DESIGN.md "Who pinned the bytes"). */
  readonly pinnedBy?: PinnedBy;
  /**
   * A summarised store check (a report of more than 10,000 artifacts): how many artifacts it
   * stands for, every one of its group not listed by name (src/report/store-checks.ts).
   */
  readonly artifacts?: number;
};

export type Objective = {
  readonly seenSeconds: number | null;
  readonly targetSeconds: number | null;
  readonly status: CheckStatus;
};

/**
 * drill --sample: the content of only a share of the artifacts was checked (every durable
 * database in full), the others for their place and size (docs/performance.md, "Sampled checks").
 */
export type ReportSample = {
  readonly fraction: number;
  readonly seed: number;
  /** Artifacts whose content was checked in full: the sample and every durable database. */
  readonly contentChecked: number;
  /** Artifacts checked for their place and size only. */
  readonly placeOnly: number;
  /** How many runs with consecutive seeds check the content of every artifact. */
  readonly runsToCover: number;
};

export type DrillReport = {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: "recoverable"; readonly version: string };
  readonly mode: "restore" | "live";
  readonly releaseId: string;
  readonly releaseIdentity: DigestSet;
  readonly source: {
    readonly text: string;
    readonly backupTime: string | null;
    /** Exactly which backup was restored (the snapshot `#latest` stood for), when it matters. */
    readonly resolved: string | null;
    /** The backup's own record that pinned the bytes the release does not ("snapshot <id>"). */
    readonly record?: string;
  } | null;
  readonly storeRoot: string;
  readonly serviceURL: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly stages: readonly StageRecord[];
  readonly checks: readonly ReportCheck[];
  readonly rto: Objective;
  readonly rpo: Objective;
  /** drill --scenario: the failure scenario whose targets rto and rpo were judged against. */
  readonly scenario?: { readonly name: string; readonly rto: string; readonly rpo: string };
  /** drill --sample: what the sample checked; absent: every artifact's content was checked. */
  readonly sample?: ReportSample;
  /** Every rule of the rollback policy for this release, with the store's high-water mark. */
  readonly policy: readonly RuleOutcome[];
  readonly service: {
    readonly command: readonly string[];
    readonly exit: string | null;
    readonly log: string;
  } | null;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
};
