// gate: may this release ship or be restored? It loads the evidence, the trusted keys, the
// reports and the high-water mark, plans (every input problem at once), then decides
// (gate/decide-gate.ts): the evidence, the rollback policy, and enough signed drills.
import { loadEvidence } from "../documents/load-evidence.js";
import { failedWith } from "../findings/checked.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { decideGate, type OpenedReport } from "../gate/decide-gate.js";
import {
  decideDrills,
  judgeReport,
  toGateReport,
  type GateReport,
  type JudgedReport,
  type Requirement,
} from "../gate/judge-reports.js";
import { readHighWater } from "../policy/high-water.js";
import {
  findReportFiles,
  loadTrustedKeys,
  openSignedReports,
  type TrustedKey,
} from "../report/trusted-reports.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import {
  gateSourcesOf,
  parseThreshold,
  planGate,
  type GateFlags,
  type GateLoaded,
  type GateSources,
} from "./gate-plan.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type GateOptions = CommonOptions & GateFlags & { readonly now?: () => Date };

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

const asWarning = (finding: ClassifiedFinding): ClassifiedFinding => ({
  ...finding,
  severity: "warning",
});

/** The reports to consider: those named (their problems are bad input), then the folder's. */
async function openReports(
  sources: GateSources,
  keys: readonly TrustedKey[],
): Promise<{ opened: OpenedReport[]; findings: ClassifiedFinding[] }> {
  const named = new Set(sources.named);
  const paths = [...new Set([...sources.named, ...(await findReportFiles(sources.reportsDir))])];
  const reports = await openSignedReports(paths, keys);
  const findings: ClassifiedFinding[] = [];
  const opened: OpenedReport[] = [];
  paths.forEach((path, index) => {
    const report = reports[index] as (typeof reports)[number];
    const unusable = report.ok
      ? []
      : report.findings.filter((f) => f.failureClass === "unusable_input");
    // A named file that is not a report is bad input; a stray file in the folder must not
    // block the gate, so it is a warning and the other reports are still judged.
    if (unusable.length === 0) opened.push({ path, report });
    else if (named.has(path)) findings.push(...unusable);
    else opened.push({ path, report: failedWith(unusable.map(asWarning)) });
  });
  return { opened, findings };
}

async function loadGate(sources: GateSources): Promise<GateLoaded> {
  const { keys, findings: keyFindings } = await loadTrustedKeys(sources.keyPaths);
  const reports = await openReports(sources, keys);
  const evidence = await loadEvidence(sources.evidence);
  const mark = await readHighWater(sources.stateDir);
  return {
    keys,
    keyFindings,
    opened: reports.opened,
    reportFindings: reports.findings,
    evidence,
    mark,
  };
}

function candidateOf(judged: JudgedReport): GateCandidate {
  const { failures } = judged;
  return {
    file: judged.file,
    keyId: judged.keyId,
    finishedAt: judged.finishedAt?.toISOString() ?? null,
    qualifies: failures.length === 0,
    why: failures.length === 0 ? "qualifies" : failures.map((f) => f.message).join("; "),
  };
}

export async function gate(options: GateOptions): Promise<GateResult> {
  const now = (options.now ?? (() => new Date()))();
  const threshold = parseThreshold(options.threshold);
  const stop = (findings: readonly ClassifiedFinding[], requirements: Requirement[] = []) =>
    createResult("gate", findings, NO_RELEASE, {
      ...{ requirements, report: null, reports: [], candidates: [] },
      threshold,
    });
  const context = await loadContext(options);
  if (!context.ok) return stop(context.findings);
  const sources = gateSourcesOf(options, context.value);
  const loaded = await loadGate(sources);
  const plan = planGate(options, sources, loaded);
  if (!loaded.evidence.ok) {
    const why = loaded.evidence.findings.map((f) => f.message).join("; ");
    return stop(plan.ok ? [] : plan.findings, [{ name: "evidence", passed: false, why }]);
  }
  if (!plan.ok) return stop(plan.findings);
  const decision = decideGate({ ...plan.value, now });
  const counted = decision.counted.map(toGateReport);
  const { id, identity } = decision.release;
  return createResult(
    "gate",
    decision.findings,
    { releaseId: id, releaseIdentity: identity },
    {
      requirements: decision.requirements,
      report: counted[0] ?? null,
      reports: counted,
      candidates: decision.judged.map(candidateOf),
      threshold,
    },
  );
}
