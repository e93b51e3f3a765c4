// gate's drill requirement, as pure functions: each signed report judged against this release
// (signature, subject, verdict, age, RTO, RPO, sampled or not (/drills/allowSampled)), then
// whether enough of them, each by a different trusted key, qualify; the closest candidate's
// first failure names what to fix.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { digestsEqual } from "../identity/digest.js";
import type { RollbackPolicy } from "../documents/types.js";
import { checkDrillSchedule, checkObjective, type ReleaseFacts } from "../policy/rules.js";
import { sampledRefusal } from "../policy/sampled-drill.js";
import type { SignedReport } from "../report/trusted-reports.js";
import { displayPath } from "../util/display-path.js";

export type Requirement = { readonly name: string; readonly passed: boolean; readonly why: string };
export type GateReport = {
  readonly file: string;
  readonly keyId: string;
  readonly finishedAt: string | null;
};

/** A report judged against this release: how far it got through the checks, and what failed. */
export type JudgedReport = {
  readonly file: string;
  readonly keyId: string | null;
  readonly finishedAt: Date | null;
  /** A sampled drill's sample ("50% (seed 3)"); null: it checked every artifact. */
  readonly sampled: string | null;
  /**
   * How many checks passed before the first failure (signature, subject, verdict, age, RTO,
   * RPO, sampled).
   */
  readonly reached: number;
  readonly failures: readonly ClassifiedFinding[];
};

/** A trusted clock may be a little ahead; beyond this a future finishedAt is not believed. */
const CLOCK_SKEW_MS = 5 * 60_000;
const DRILL_REPORT = "drill report";

/** /drills/every: the drill must have finished within the schedule, and not in the future. */
function checkAge(
  report: SignedReport,
  policy: RollbackPolicy,
  now: Date,
): ClassifiedFinding | null {
  const stale = (actual: string, message: string) =>
    createFinding("report_stale", {
      subject: report.file,
      expected: `finished within ${policy.drills.every} (/drills/every)`,
      actual,
      message: `${report.file}: ${message}`,
    });
  if (report.finishedAt === null)
    return stale("no finishedAt", "the report has no RFC 3339 finishedAt, so its age is unknown");
  // A report from a clock far ahead would stay "fresh" for as long as the clock was wrong.
  if (report.finishedAt.getTime() - now.getTime() > CLOCK_SKEW_MS)
    return stale(
      report.finishedAt.toISOString(),
      `the report finished ${report.finishedAt.toISOString()}, in the future: the drill's clock was wrong, so its age cannot be believed`,
    );
  const outcome = checkDrillSchedule(policy, report.finishedAt, now);
  if (outcome.passed) return null;
  return stale(
    outcome.actual,
    `the drill finished ${outcome.actual}, longer ago than the policy's drill schedule allows (every ${policy.drills.every})`,
  );
}

/** /objectives/rto and /objectives/rpo against what the drill measured. */
function checkReportObjective(
  report: SignedReport,
  policy: RollbackPolicy,
  name: "rto" | "rpo",
): ClassifiedFinding | null {
  const seen = report.seenSeconds[name];
  const outcome = checkObjective(policy, name, seen);
  if (outcome.passed) return null;
  const NAME = name.toUpperCase();
  // Not measured is not within target: a live drill restores no backup, so it says nothing
  // about how much data a restore would lose (RPO) or how long it would take (RTO).
  const unmeasured =
    name === "rpo"
      ? "the drill measured no RPO (a live drill, or a source with no backup time), so it proves nothing about the data a restore from backup would lose"
      : "the drill measured no RTO (it did not reach a ready, proven service)";
  return createFinding(name === "rto" ? "rto_exceeded" : "rpo_exceeded", {
    subject: report.file,
    expected: `${NAME} ${outcome.expected} (/objectives/${name})`,
    actual: outcome.actual,
    message: `${report.file}: ${seen === null ? unmeasured : `${outcome.message}: over target`}`,
    ...(seen === null
      ? {
          hint: `Run a drill that restores a backup (\`recoverable drill --source <src>\`), which measures the ${NAME}.`,
        }
      : {}),
  });
}

/** Every check of one signed report against this release and the policy, in order. */
export function judgeReport(
  report: SignedReport,
  release: ReleaseFacts,
  policy: RollbackPolicy,
  now: Date,
): JudgedReport {
  const subject = digestsEqual({ sha256: report.releaseIdentity }, release.identity)
    ? null
    : createFinding("report_subject_mismatch", {
        subject: report.file,
        expected: release.identity.sha256,
        actual: report.releaseIdentity,
        message: `${report.file}: the report is about release ${report.releaseId} sha256:${report.releaseIdentity.slice(0, 12)}…, not ${release.id} sha256:${release.identity.sha256.slice(0, 12)}…`,
      });
  const verdict =
    report.verdict === "proven"
      ? null
      : createFinding("report_not_proven", {
          subject: report.file,
          expected: "proven",
          actual: String(report.verdict),
          message: `${report.file}: the report's verdict is ${JSON.stringify(report.verdict)}, not "proven"`,
        });
  const sampled = sampledRefusal(report, policy);
  const checks = [
    subject,
    verdict,
    checkAge(report, policy, now),
    checkReportObjective(report, policy, "rto"),
    checkReportObjective(report, policy, "rpo"),
    // Last: a sampled drill that passes all else is the closest candidate, and says so.
    sampled === null ? null : createFinding("drill_sampled", sampled),
  ];
  const firstFailure = checks.findIndex((c) => c !== null);
  return {
    file: report.file,
    keyId: report.keyId,
    finishedAt: report.finishedAt,
    sampled: report.sampled,
    // +1: the signature held, or there would be no SignedReport.
    reached: 1 + (firstFailure === -1 ? checks.length : firstFailure),
    failures: checks.filter((c): c is ClassifiedFinding => c !== null),
  };
}

/** A report that could not be opened and verified: it fails at the signature. */
export function unverified(path: string, finding: ClassifiedFinding): JudgedReport {
  return {
    file: displayPath(path),
    keyId: null,
    finishedAt: null,
    sampled: null,
    reached: 0,
    failures: [finding],
  };
}

const newestFirst = (a: JudgedReport, b: JudgedReport): number =>
  (b.finishedAt?.getTime() ?? 0) - (a.finishedAt?.getTime() ?? 0);

/** The candidate that came closest: furthest through the checks, fewest failures, newest. */
function closest(judged: readonly JudgedReport[]): JudgedReport | undefined {
  return [...judged].sort(
    (a, b) => b.reached - a.reached || a.failures.length - b.failures.length || newestFirst(a, b),
  )[0];
}

function describeReport(report: JudgedReport): string {
  const sampled =
    report.sampled === null ? "" : `, sampled ${report.sampled} as /drills/allowSampled allows`;
  return `${report.file} (key ${report.keyId?.slice(0, 12) ?? "?"}…, finished ${report.finishedAt?.toISOString() ?? "?"}${sampled})`;
}

/**
 * The drill requirement: at least `threshold` qualifying reports, each by a different trusted
 * key; otherwise the first failure of the closest other candidate, and no_drill_report when
 * none was found at all or too few keys qualified.
 */
export function decideDrills(
  judged: readonly JudgedReport[],
  threshold: number,
  keyCount: number,
  searched: string,
): { requirement: Requirement; findings: ClassifiedFinding[]; counted: JudgedReport[] } {
  const counted: JudgedReport[] = [];
  for (const report of judged.filter((j) => j.failures.length === 0).sort(newestFirst))
    if (!counted.some((c) => c.keyId === report.keyId)) counted.push(report);
  if (counted.length >= threshold) {
    const what =
      threshold === 1
        ? `${describeReport(counted[0] as JudgedReport)} is`
        : `${counted.length} reports by different trusted keys (${counted.map(describeReport).join(", ")}) are`;
    return {
      requirement: {
        name: DRILL_REPORT,
        passed: true,
        why: `${what} signed by a trusted key, about this release, proven, within the drill schedule and the RTO and RPO targets`,
      },
      findings: [],
      counted,
    };
  }
  const findings: ClassifiedFinding[] = [];
  const others = judged.filter(
    (j) => j.failures.length > 0 && !counted.some((c) => c.keyId !== null && c.keyId === j.keyId),
  );
  // The closest candidate's first failure is the requirement to fix; every failure of every
  // candidate is in `candidates`.
  const best = closest(others);
  if (best?.failures[0] !== undefined) findings.push(best.failures[0]);
  if (judged.length === 0 || counted.length > 0 || best === undefined) {
    const message =
      judged.length === 0
        ? `no signed drill report was found (${searched})`
        : `${counted.length} report${counted.length === 1 ? "" : "s"} by different trusted keys qualif${counted.length === 1 ? "ies" : "y"}, --threshold needs ${threshold}${keyCount < threshold ? `, and only ${keyCount} trusted key${keyCount === 1 ? " is" : "s are"} given` : ""}`;
    findings.unshift(
      createFinding("no_drill_report", {
        subject: DRILL_REPORT,
        expected: `${threshold} qualifying report${threshold === 1 ? "" : "s"}, each by a different trusted key`,
        actual: String(counted.length),
        message,
      }),
    );
  }
  return {
    requirement: {
      name: DRILL_REPORT,
      passed: false,
      why: findings.map((f) => f.message).join("; "),
    },
    findings,
    counted,
  };
}

export function toGateReport(report: JudgedReport): GateReport {
  return {
    file: report.file,
    keyId: report.keyId ?? "",
    finishedAt: report.finishedAt?.toISOString() ?? null,
  };
}
