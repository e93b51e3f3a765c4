// gate's decision (pure): three requirements, each listed with why: the evidence is complete
// and consistent, the rollback policy allows the release, and enough signed drills prove it
// (proven, recent, within RTO and RPO), each by a different trusted key.
import { releaseIdentityOf, verifyChain, type Evidence } from "../documents/identity-chain.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import type { Checked } from "../findings/checked.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import {
  evaluateRelease,
  rollbackForbidden,
  type HighWaterMark,
  type ReleaseFacts,
} from "../policy/rules.js";
import type { SignedReport } from "../report/trusted-reports.js";
import {
  decideDrills,
  judgeReport,
  unverified,
  type JudgedReport,
  type Requirement,
} from "./judge-reports.js";

/** A report considered: opened and verified, or the finding that says why not. */
export type OpenedReport = { readonly path: string; readonly report: Checked<SignedReport> };

export type GateInput = {
  readonly evidence: Evidence;
  readonly files: EvidenceFiles;
  /** The high-water mark, none, or the finding of a damaged one. */
  readonly mark: Checked<HighWaterMark | null>;
  readonly opened: readonly OpenedReport[];
  readonly threshold: number;
  readonly keyCount: number;
  readonly allowDowngrade: boolean;
  readonly searched: string;
  readonly now: Date;
};

export type GateDecision = {
  readonly release: ReleaseFacts;
  readonly requirements: Requirement[];
  readonly findings: ClassifiedFinding[];
  /** Every report counted towards the threshold, newest first. */
  readonly counted: JudgedReport[];
  /** Every report considered. */
  readonly judged: JudgedReport[];
};

/** The evidence: complete (valid documents, loaded) and consistent (the identity chain). */
function evidenceRequirement(chain: readonly ClassifiedFinding[]): Requirement {
  return {
    name: "evidence",
    passed: chain.length === 0,
    why:
      chain.length === 0
        ? "the manifest, packet, provenance and rollback policy are valid and their identity chain holds"
        : chain.map((f) => f.message).join("; "),
  };
}

/** The rollback policy, with this store's high-water mark; a damaged mark is never "none". */
function checkPolicy(input: GateInput, release: ReleaseFacts) {
  const damaged = input.mark.ok ? null : input.mark.findings;
  const outcomes = evaluateRelease(input.evidence.rollbackPolicy, release, {
    now: input.now,
    highWater: input.mark.ok ? input.mark.value : null,
    allowDowngrade: input.allowDowngrade,
  }).filter((o) => damaged === null || o.rule !== "downgrade");
  const requirements: Requirement[] = outcomes.map((o) => ({
    name: `policy:${o.rule}`,
    passed: o.passed,
    why: o.message,
  }));
  for (const finding of damaged ?? [])
    requirements.push({ name: "policy:downgrade", passed: false, why: finding.message });
  const findings = [...rollbackForbidden(outcomes, input.files.rollbackPolicy), ...(damaged ?? [])];
  return { requirements, findings };
}

/** Enough signed drills of this release, each by a different trusted key. */
function checkDrills(input: GateInput, release: ReleaseFacts) {
  const policy = input.evidence.rollbackPolicy;
  const judged = input.opened.map(({ path, report }) =>
    report.ok
      ? judgeReport(report.value, release, policy, input.now)
      : unverified(path, report.findings[0] as ClassifiedFinding),
  );
  const drills = decideDrills(
    judged.filter((j) => j.failures.every((f) => f.severity === "error")),
    input.threshold,
    input.keyCount,
    input.searched,
  );
  // /drills/requireSignedReport false: the policy waives the drill requirement; still shown.
  const waived = policy.drills.requireSignedReport === false && !drills.requirement.passed;
  const requirement = waived
    ? {
        ...drills.requirement,
        passed: true,
        why: `not required by the policy (/drills/requireSignedReport is false): ${drills.requirement.why}`,
      }
    : drills.requirement;
  const strays = judged.flatMap((j) => j.failures.filter((f) => f.severity === "warning"));
  const findings = [
    ...drills.findings.map((f) => (waived ? { ...f, severity: "warning" as const } : f)),
    ...strays,
  ];
  return { requirement, findings, counted: drills.counted, judged };
}

export function decideGate(input: GateInput): GateDecision {
  const { packet } = input.evidence;
  const release: ReleaseFacts = {
    id: packet.release.id,
    version: packet.release.version,
    createdAt: packet.release.createdAt,
    identity: releaseIdentityOf(packet),
  };
  const chain = verifyChain(input.evidence, input.files);
  const policy = checkPolicy(input, release);
  const drills = checkDrills(input, release);
  return {
    release,
    requirements: [evidenceRequirement(chain), ...policy.requirements, drills.requirement],
    findings: [...chain, ...policy.findings, ...drills.findings],
    counted: drills.counted,
    judged: drills.judged,
  };
}
