// The drill report from what the stages returned (pure): every stage, every check, RTO and RPO,
// the findings and the verdict. Nothing here reads the clock, the disk or the service: the
// pipeline hands over the facts.
import { releaseIdentityOf } from "../documents/identity-chain.js";
import type {
  DrillReport,
  ReportCheck,
  ReportSample,
  RuleOutcome,
  StageRecord,
} from "../documents/drill-report.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import {
  createDrillReport,
  notRunReason,
  objectiveCheck,
  policyChecks,
  probeChecks,
  skippedProbeChecks,
} from "../report/drill-report.js";
import { runsToCover, type SampleSpec } from "../store/sample.js";
import { runsService, type DrillPlan } from "./drill-plan.js";
import type { Measured } from "./measure.js";
import type { Probed } from "./service-stages.js";
import type { StoreCheck } from "./store-stages.js";

export type DrillFacts = {
  readonly version: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly stages: readonly StageRecord[];
  /** The restore's facts about its source; null in live mode. */
  readonly restored: { readonly backupTime: Date | null; readonly resolved: string | null } | null;
  /** The store root as a user reads it. */
  readonly storeRoot: string;
  readonly serviceURL: string | null;
  readonly store: StoreCheck;
  /** The report's checks of the store, made from `store` as the manifest went by (./store-stages.ts). */
  readonly storeChecks: readonly ReportCheck[];
  readonly policy: readonly RuleOutcome[];
  readonly probed: Probed | null;
  readonly measured: Measured;
  /** The service the drill started, once stopped; null: none was. */
  readonly service: { readonly exit: string | null; readonly log: string } | null;
  readonly findings: readonly ClassifiedFinding[];
};

export function buildDrillReport(plan: DrillPlan, facts: DrillFacts): DrillReport {
  const { mode, config, evidence, scenario } = plan;
  const { rto, rpo } = facts.measured;
  return createDrillReport({
    version: facts.version,
    mode: mode.kind,
    releaseId: evidence.packet.release.id,
    releaseIdentity: releaseIdentityOf(evidence.packet),
    source:
      mode.kind === "restore"
        ? {
            text: mode.source.ref.text,
            backupTime: facts.restored?.backupTime?.toISOString() ?? null,
            resolved: facts.restored?.resolved ?? null,
            ...(facts.store.record === null ? {} : { record: facts.store.record.name }),
          }
        : null,
    storeRoot: facts.storeRoot,
    serviceURL: facts.serviceURL,
    startedAt: facts.startedAt.toISOString(),
    finishedAt: facts.finishedAt.toISOString(),
    stages: facts.stages,
    checks: [
      ...facts.storeChecks,
      ...policyChecks(facts.policy, notRunReason(facts.stages)),
      ...checksOfProbes(plan, facts),
      objectiveCheck("rto", rto),
      objectiveCheck("rpo", rpo),
    ],
    rto,
    rpo,
    ...(scenario === null
      ? {}
      : { scenario: { name: scenario.name, rto: scenario.rto, rpo: scenario.rpo } }),
    ...(plan.sample === null ? {} : { sample: reportSample(plan.sample, facts.store) }),
    policy: [...facts.policy],
    service:
      facts.service && config.service
        ? { command: config.service.command, exit: facts.service.exit, log: facts.service.log }
        : null,
    findings: facts.findings,
  });
}

/** drill --sample: the rule and what it checked (nothing, when the store was not checked). */
export function reportSample(spec: SampleSpec, store: StoreCheck): ReportSample {
  const { fraction, seed } = spec;
  const contentChecked = store.sample?.contentChecked ?? 0;
  const placeOnly = store.sample?.placeOnly ?? 0;
  return { fraction, seed, contentChecked, placeOnly, runsToCover: runsToCover(fraction) };
}

/** Every probe of the release, run or not (shards other than 1 leave them to shard 1). */
function checksOfProbes(plan: DrillPlan, facts: DrillFacts) {
  if (facts.probed !== null) return probeChecks(facts.probed.checks);
  if (!runsService(plan)) return [];
  const { packet } = plan.evidence;
  return skippedProbeChecks(packet, releaseIdentityOf(packet).sha256, notRunReason(facts.stages));
}
