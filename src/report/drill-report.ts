// The drill report built (pure): the checks of the store, the probes, the objectives and the
// rollback policy, and the report with its findings and verdict. Its types, the document as
// written and read back, are documents/drill-report.ts; its schema is
// schemas/drill-report.schema.json.
import type {
  CheckStatus,
  DrillReport,
  Objective,
  ReportCheck,
  RuleOutcome,
  StageRecord,
} from "../documents/drill-report.js";
import type { Packet } from "../documents/types.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { toPublicFinding } from "../findings/finding.js";
import { verdictOf } from "../findings/verdict.js";
import { RELEASE_RULES } from "../policy/rules.js";
import { describeProbe, type ProbeCheck } from "../probes/probe-check.js";

export { PLACE_ONLY, storeChecks } from "./store-checks.js";

export function probeChecks(checks: readonly ProbeCheck[]): ReportCheck[] {
  return checks.map((c) => ({
    name: c.name,
    kind: "probe",
    status: c.status,
    subject: `${c.type} ${c.target}`,
    expected: c.expected,
    actual: c.actual,
    durationMs: c.durationMs,
    ...(c.request === undefined ? {} : { request: c.request }),
  }));
}

/**
 * The probes a drill did not get to (an earlier stage failed), as skipped checks: a report lists
 * every probe of the release whatever happened, so a CI system counts the same tests each run.
 */
export function skippedProbeChecks(
  packet: Packet,
  expectedIdentity: string,
  reason: string,
): ReportCheck[] {
  return packet.probes.map((probe) => {
    const { target, expected } = describeProbe(probe, packet, expectedIdentity);
    return {
      name: probe.name,
      kind: "probe",
      status: "skipped",
      subject: `${probe.type} ${target}`,
      expected,
      actual: reason,
    };
  });
}

/**
 * One check per release rule of the rollback policy, named by the policy field it implements;
 * a rule that was not judged (the stage did not run, or the high-water mark was unreadable) is
 * there too, skipped, with `reason`.
 */
export function policyChecks(outcomes: readonly RuleOutcome[], reason: string): ReportCheck[] {
  return RELEASE_RULES.map(({ rule, field }) => {
    const o = outcomes.find((outcome) => outcome.rule === rule);
    return {
      name: `policy ${rule}`,
      kind: "policy" as const,
      status:
        o === undefined
          ? ("skipped" as const)
          : o.passed
            ? ("passed" as const)
            : ("failed" as const),
      subject: `rollback policy ${o?.field ?? field}`,
      expected: o?.expected ?? "judged by the rollback policy",
      actual: o?.message ?? reason,
    };
  });
}

/** Why a check was not run: the first stage that failed, which stopped the ones after it. */
export function notRunReason(stages: readonly StageRecord[]): string {
  const failed = stages.find((stage) => stage.status === "failed");
  return failed === undefined ? "not run" : `not run: the stage "${failed.name}" failed`;
}

export function objectiveCheck(name: "rto" | "rpo", objective: Objective): ReportCheck {
  const show = (s: number | null) => (s === null ? "unknown" : `${s}s`);
  return {
    name,
    kind: "objective",
    status: objective.status,
    subject: name === "rto" ? "time to a ready, proven service" : "age of the backup restored",
    expected:
      objective.targetSeconds === null ? "no target" : `at most ${show(objective.targetSeconds)}`,
    actual: show(objective.seenSeconds),
  };
}

export function measureObjective(seenMs: number | null, targetMs: number | null): Objective {
  const seenSeconds = seenMs === null ? null : Math.round(seenMs / 100) / 10;
  const targetSeconds = targetMs === null ? null : targetMs / 1000;
  const status: CheckStatus =
    seenMs === null || targetMs === null ? "skipped" : seenMs <= targetMs ? "passed" : "failed";
  return { seenSeconds, targetSeconds, status };
}

export type ReportInput = Omit<DrillReport, "schemaVersion" | "tool" | "findings" | "verdict"> & {
  readonly version: string;
  readonly findings: readonly ClassifiedFinding[];
};

export function createDrillReport(input: ReportInput): DrillReport {
  const { version, findings, ...rest } = input;
  return {
    schemaVersion: 1,
    tool: { name: "recoverable", version },
    ...rest,
    findings: findings.map(toPublicFinding),
    verdict: verdictOf(findings),
  };
}
