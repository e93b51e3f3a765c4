// gate: may this release ship or be restored? Three requirements, each listed with why:
// its evidence is complete and consistent, the rollback policy allows it, and enough signed
// drills prove it (proven, recent, within RTO and RPO), each by a different trusted key.
import { resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import { readHighWater } from "../policy/high-water.js";
import { evaluateRelease, rollbackForbidden, type ReleaseFacts } from "../policy/rules.js";
import {
  findReportFiles,
  loadTrustedKeys,
  openSignedReports,
  type SignedReport,
  type TrustedKey,
} from "../report/trusted-reports.js";
import {
  decideDrills,
  judgeReport,
  toGateReport,
  unverified,
  type GateReport,
  type JudgedReport,
  type Requirement,
} from "../gate/judge-reports.js";
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

export type { GateReport, JudgedReport, Requirement };
export { decideDrills, judgeReport };

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

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

function parseThreshold(value: number | string | undefined): number | null {
  if (value === undefined) return 1;
  const n = typeof value === "number" ? value : /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 0;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

type Opened = { readonly path: string; readonly report: SignedReport | ClassifiedFinding };

/** The reports to consider: those named (their problems are bad input), then the folder's. */
async function openReports(
  named: readonly string[],
  folder: readonly string[],
  keys: readonly TrustedKey[],
): Promise<{ opened: Opened[]; inputFindings: ClassifiedFinding[] }> {
  const namedSet = new Set(named);
  const paths = [...new Set([...named, ...folder])];
  const reports = await openSignedReports(paths, keys);
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
  const stop = (
    findings: readonly ClassifiedFinding[],
    requirements: Requirement[] = [],
  ): GateResult =>
    createResult("gate", findings, NO_RELEASE, {
      requirements,
      ...none,
      threshold: parseThreshold(options.threshold),
    });

  // 1. Inputs, all checked before any verdict: config, threshold, keys, named reports, evidence.
  const loaded = await loadContext(options);
  if (!loaded.ok) return stop(loaded.findings);
  const { cwd, config } = loaded.value;
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
  const evidence = await loadEvidence(loaded.value.evidence);
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
