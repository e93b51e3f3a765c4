// gate: may this release ship or be restored? Three requirements, each listed with why:
// its evidence is complete and consistent, the rollback policy allows it, and enough signed
// drills prove it (proven, recent, within RTO and RPO), each by a different trusted key.
import { resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import type { RollbackPolicy } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf, verifyChain } from "../identity/chain.js";
import { digestsEqual } from "../identity/digest.js";
import { readHighWater } from "../policy/high-water.js";
import {
  checkDrillSchedule,
  checkObjective,
  evaluateRelease,
  rollbackForbidden,
  type ReleaseFacts,
} from "../policy/rules.js";
import {
  findReportFiles,
  loadTrustedKeys,
  openSignedReport,
  type SignedReport,
} from "../report/trusted-reports.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type GateOptions = CommonOptions & {
  /** --key: trusted public keys, besides the drill config's reports.trustedKeys. */
  readonly keys?: readonly string[];
  /** --report: envelopes named on the command line. */
  readonly reports?: readonly string[];
  /** --reports: the folder searched for *.dsse.json (default: the config's reports.dir). */
  readonly reportsDir?: string;
  /** --threshold: how many reports, each by a different trusted key (default 1). */
  readonly threshold?: number | string;
  readonly allowDowngrade?: boolean;
  readonly now?: () => Date;
};

export type Requirement = { readonly name: string; readonly passed: boolean; readonly why: string };
export type GateReport = {
  readonly file: string;
  readonly keyId: string;
  readonly finishedAt: string | null;
};
export type GateCandidate = {
  readonly file: string;
  readonly keyId: string | null;
  readonly finishedAt: string | null;
  readonly qualifies: boolean;
  readonly why: string;
};

export type GateResult = VerbResult<{
  requirements: Requirement[];
  /** The (newest) report that satisfied the drill requirement, or null. */
  report: GateReport | null;
  /** Every report counted towards the threshold, one per trusted key. */
  reports: GateReport[];
  /** Every report considered, with why it qualifies or not. */
  candidates: GateCandidate[];
  threshold: number | null;
}>;

/** A report judged against this release: how far it got through the checks, and what failed. */
export type JudgedReport = {
  readonly file: string;
  readonly keyId: string | null;
  readonly finishedAt: Date | null;
  /** How many checks passed before the first failure (signature, subject, verdict, age, RTO, RPO). */
  readonly reached: number;
  readonly failures: readonly ClassifiedFinding[];
};

/** A trusted clock may be a little ahead; beyond this a future finishedAt is not believed. */
const CLOCK_SKEW_MS = 5 * 60_000;
const DRILL_REPORT = "drill report";

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

function parseThreshold(value: number | string | undefined): number | null {
  if (value === undefined) return 1;
  const n = typeof value === "number" ? value : /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 0;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

function seenSeconds(report: SignedReport, name: "rto" | "rpo"): number | null {
  const objective = report.statement.predicate[name];
  const seen =
    typeof objective === "object" && objective !== null
      ? (objective as { seenSeconds?: unknown }).seenSeconds
      : null;
  return typeof seen === "number" && Number.isFinite(seen) ? seen : null;
}

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
  const seen = seenSeconds(report, name);
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
  const checks = [
    subject,
    verdict,
    checkAge(report, policy, now),
    checkReportObjective(report, policy, "rto"),
    checkReportObjective(report, policy, "rpo"),
  ];
  const firstFailure = checks.findIndex((c) => c !== null);
  return {
    file: report.file,
    keyId: report.keyId,
    finishedAt: report.finishedAt,
    // +1: the signature held, or there would be no SignedReport.
    reached: 1 + (firstFailure === -1 ? checks.length : firstFailure),
    failures: checks.filter((c): c is ClassifiedFinding => c !== null),
  };
}

/** A report that could not be opened and verified: it fails at the signature. */
function unverified(path: string, finding: ClassifiedFinding): JudgedReport {
  return {
    file: displayPath(path),
    keyId: null,
    finishedAt: null,
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
  return `${report.file} (key ${report.keyId?.slice(0, 12) ?? "?"}…, finished ${report.finishedAt?.toISOString() ?? "?"})`;
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

function toGateReport(report: JudgedReport): GateReport {
  return {
    file: report.file,
    keyId: report.keyId ?? "",
    finishedAt: report.finishedAt?.toISOString() ?? null,
  };
}

type Opened = { readonly path: string; readonly report: SignedReport | ClassifiedFinding };

/** The reports to consider: those named (their problems are bad input), then the folder's. */
async function openReports(
  named: readonly string[],
  folder: readonly string[],
  keys: Parameters<typeof openSignedReport>[1],
): Promise<{ opened: Opened[]; inputFindings: ClassifiedFinding[] }> {
  const namedSet = new Set(named);
  const paths = [...new Set([...named, ...folder])];
  const reports = await Promise.all(paths.map((path) => openSignedReport(path, keys)));
  const inputFindings: ClassifiedFinding[] = [];
  const opened: Opened[] = [];
  paths.forEach((path, index) => {
    const report = reports[index] as SignedReport | ClassifiedFinding;
    const unusable = "code" in report && report.failureClass === "unusable_input";
    // A named file that is not a report is bad input; a stray file in the folder must not
    // block the gate, so it is a warning and the other reports are still judged.
    if (unusable && namedSet.has(path)) inputFindings.push(report);
    else if (unusable) opened.push({ path, report: { ...report, severity: "warning" } });
    else opened.push({ path, report });
  });
  return { opened, inputFindings };
}

export async function gate(options: GateOptions): Promise<GateResult> {
  const now = (options.now ?? (() => new Date()))();
  const none = { report: null, reports: [], candidates: [] };
  const stop = (findings: ClassifiedFinding[], requirements: Requirement[] = []): GateResult =>
    createResult("gate", findings, NO_RELEASE, {
      requirements,
      ...none,
      threshold: parseThreshold(options.threshold),
    });

  // 1. Inputs, all checked before any verdict: config, threshold, keys, named reports, evidence.
  const loaded = await loadContext(options);
  if (!loaded.ok) return stop(loaded.findings);
  const { cwd, config } = loaded.context;
  const inputFindings: ClassifiedFinding[] = [];
  const threshold = parseThreshold(options.threshold);
  if (threshold === null)
    inputFindings.push(
      usage("--threshold", `--threshold ${String(options.threshold)} is not a whole number >= 1`),
    );
  const keyPaths = [...(options.keys ?? []).map((k) => resolve(cwd, k)), ...config.trustedKeys];
  if (keyPaths.length === 0)
    inputFindings.push(
      usage(
        "--key",
        "no trusted key: pass --key <drill.pub> (repeatable) or set reports.trustedKeys in the drill config",
      ),
    );
  const { keys, findings: keyFindings } = await loadTrustedKeys(keyPaths);
  inputFindings.push(...keyFindings);
  const reportsDir =
    options.reportsDir === undefined ? config.reportsDir : resolve(cwd, options.reportsDir);
  const named = (options.reports ?? []).map((r) => resolve(cwd, r));
  const reports = await openReports(named, await findReportFiles(reportsDir), keys);
  inputFindings.push(...reports.inputFindings);
  const evidence = await loadEvidence(loaded.context.evidence);
  if (!evidence.ok) inputFindings.push(...evidence.findings);
  if (!evidence.ok)
    return stop(inputFindings, [
      { name: "evidence", passed: false, why: evidence.findings.map((f) => f.message).join("; ") },
    ]);
  if (inputFindings.length > 0 || threshold === null) return stop(inputFindings);

  // 2. The evidence: complete (valid documents, above) and consistent (the identity chain).
  const { packet, rollbackPolicy: policy } = evidence.evidence;
  const release: ReleaseFacts = {
    id: packet.release.id,
    version: packet.release.version,
    createdAt: packet.release.createdAt,
    identity: releaseIdentityOf(packet),
  };
  const chain = verifyChain(evidence.evidence, evidence.files);
  const requirements: Requirement[] = [
    {
      name: "evidence",
      passed: chain.length === 0,
      why:
        chain.length === 0
          ? "the manifest, packet, provenance and rollback policy are valid and their identity chain holds"
          : chain.map((f) => f.message).join("; "),
    },
  ];

  // 3. The rollback policy, with this store's high-water mark; a damaged mark is never "none".
  const mark = await readHighWater(config.stateDir);
  const damaged = mark !== null && "code" in mark ? mark : null;
  const outcomes = evaluateRelease(policy, release, {
    now,
    highWater: mark === null || "code" in mark ? null : mark,
    allowDowngrade: options.allowDowngrade ?? false,
  }).filter((o) => damaged === null || o.rule !== "downgrade");
  requirements.push(
    ...outcomes.map((o) => ({ name: `policy:${o.rule}`, passed: o.passed, why: o.message })),
  );
  if (damaged !== null)
    requirements.push({ name: "policy:downgrade", passed: false, why: damaged.message });

  // 4. Enough signed drills of this release, each by a different trusted key.
  const judged = reports.opened.map(({ path, report }) =>
    "code" in report ? unverified(path, report) : judgeReport(report, release, policy, now),
  );
  const searched = `looked in ${displayPath(reportsDir)}${named.length > 0 ? " and at the --report files" : ""}`;
  const drills = decideDrills(
    judged.filter((j) => j.failures.every((f) => f.severity === "error")),
    threshold,
    keys.length,
    searched,
  );
  // /drills/requireSignedReport false: the policy waives the drill requirement; still shown.
  const waived = policy.drills.requireSignedReport === false && !drills.requirement.passed;
  requirements.push(
    waived
      ? {
          ...drills.requirement,
          passed: true,
          why: `not required by the policy (/drills/requireSignedReport is false): ${drills.requirement.why}`,
        }
      : drills.requirement,
  );
  const strays = judged.flatMap((j) => j.failures.filter((f) => f.severity === "warning"));
  const findings = [
    ...chain,
    ...rollbackForbidden(outcomes, evidence.files.rollbackPolicy),
    ...(damaged === null ? [] : [damaged]),
    ...drills.findings.map((f) => (waived ? { ...f, severity: "warning" as const } : f)),
    ...strays,
  ];
  const counted = drills.counted.map(toGateReport);
  return createResult(
    "gate",
    findings,
    { releaseId: release.id, releaseIdentity: release.identity },
    {
      requirements,
      report: counted[0] ?? null,
      reports: counted,
      candidates: judged.map((j) => ({
        file: j.file,
        keyId: j.keyId,
        finishedAt: j.finishedAt?.toISOString() ?? null,
        qualifies: j.failures.length === 0,
        why: j.failures.length === 0 ? "qualifies" : j.failures.map((f) => f.message).join("; "),
      })),
      threshold,
    },
  );
}
