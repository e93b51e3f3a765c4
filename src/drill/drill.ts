// The drill: restore into a scratch place, verify, start the service, probe, stop, measure,
// report. Each step is a stage with its timing in the report; a failed drill still builds its
// report, because a signed "not proven" is evidence too. An interrupted one does not: it stops
// what it started and ends with the `interrupted` finding alone (with what it had found until
// then). Each stage takes the plan and what the stages before it returned (./stage.ts); the
// scope owns what must be undone (./drill-scope.ts). Read runDrill top to bottom.
import type { DrillReport, ReportCheck, RuleOutcome } from "../documents/drill-report.js";
import { hasErrors } from "../findings/finding.js";
import { raiseHighWater, readHighWater } from "../policy/high-water.js";
import type { RunningService } from "../service/service-process.js";
import { displayPath } from "../util/display-path.js";
import { noteReapsIn } from "../util/reaper.js";
import { interruptionOf } from "../util/run-scope.js";
import { VERSION } from "../util/version.js";
import { buildDrillReport } from "./build-report.js";
import { checkEvidence, checkPolicy } from "./check-stages.js";
import { runsService, type DrillOutcome, type DrillPlan, type DrillRuntime } from "./drill-plan.js";
import { DrillScope } from "./drill-scope.js";
import { measureObjectives } from "./measure.js";
import { readReapedNotes, reapedNotesDir } from "./reaped-notes.js";
import { probe, startTheService, waitForReadiness, type Probed } from "./service-stages.js";
import { StagePipeline, stageOf } from "./stage.js";
import {
  restoreBackup,
  storeReportChecks,
  UNCHECKED,
  verifyTheStore,
  type RestoredStore,
} from "./store-stages.js";

export type { DrillMode, DrillOutcome, DrillPlan, DrillRuntime } from "./drill-plan.js";

/** What the stages returned, for the measures and the report. */
type Ran = {
  readonly restored: RestoredStore | null;
  readonly storeRoot: string;
  readonly store: RestoredStore["check"];
  readonly policy: readonly RuleOutcome[] | null;
  readonly service: RunningService | null;
  readonly serviceURL: string | null;
  readonly probed: Probed | null;
};

export async function runDrill(plan: DrillPlan, runtime: DrillRuntime): Promise<DrillOutcome> {
  // The reference time, read once: the policy, the restore plan, RTO and RPO are judged at it.
  const startedAt = runtime.now();
  const pipeline = new StagePipeline(runtime);
  const scope = new DrillScope(plan.config, pipeline.interruptions);
  // If this drill dies before it has cleaned up, the reaper does, and the next drill says so.
  const forgetNotes = noteReapsIn(
    reapedNotesDir(plan.config.stateDir),
    `the drill of ${plan.evidence.packet.release.id} started at ${startedAt.toISOString()} (process ${String(process.pid)})`,
  );
  const reaped = await readReapedNotes(plan.config.stateDir);
  pipeline.record(reaped.findings);
  let ran: Ran | null = null;
  let scratchKept: string | null = null;
  try {
    ran = await runStages(plan, runtime, startedAt, pipeline, scope);
  } finally {
    const grace = plan.config.service?.stopGraceMs ?? 5000;
    await pipeline.always("stop service", () => scope.stopService(grace));
    await pipeline.always("teardown", async () => {
      scratchKept = await scope.close();
      return true;
    });
  }
  forgetNotes();
  const interruption = interruptionOf(runtime.signal);
  if (interruption !== null)
    return pipeline.interruptions.outcome(interruption, pipeline.stages, scratchKept);
  const storeChecks = await storeReportChecks(plan, ran.store);
  const report = reportOf(plan, runtime, startedAt, pipeline, { ...ran, storeChecks });
  const storeCounts = ran.store.counts;
  const findings = pipeline.findings;
  return {
    interrupted: null,
    report,
    stages: report.stages,
    storeCounts,
    storeSample: ran.store.sample,
    findings,
    scratchKept,
    reapedNotes: reaped.files,
  };
}

/** The stages in order; a stage that does not apply is said as skipped. */
async function runStages(
  plan: DrillPlan,
  { progress, signal, now }: DrillRuntime,
  at: Date,
  pipeline: StagePipeline,
  scope: DrillScope,
): Promise<Ran> {
  const { mode } = plan;
  await pipeline.whole("check evidence", () => checkEvidence(plan));
  const policy = await pipeline.whole("check rollback policy", () => checkPolicy(plan, at));
  let restored: RestoredStore | null = null;
  if (mode.kind === "restore")
    restored = await pipeline.run("restore", () =>
      restoreBackup(plan, mode, scope, { at, progress }),
    );
  else pipeline.skip("restore");
  const storeRoot = mode.kind === "live" ? mode.root : (restored?.storeRoot ?? "");
  const verified = await pipeline.run("verify store", () =>
    verifyTheStore(plan, storeRoot, restored?.check ?? null, scope, progress),
  );
  let service: RunningService | null = null;
  const configured = plan.config.service;
  if (mode.kind === "restore" && configured && runsService(plan)) {
    service = await pipeline.whole("start service", () =>
      startTheService(plan, configured, storeRoot, scope),
    );
    const running = service;
    await pipeline.run("wait for readiness", () =>
      running === null ? stageOf(false, null) : waitForReadiness(running, configured, signal),
    );
  } else {
    pipeline.skip("start service");
    pipeline.skip("wait for readiness");
  }
  const serviceURL = mode.kind === "live" ? mode.url.replace(/\/+$/, "") : (service?.url ?? null);
  let probed: Probed | null = null;
  if (runsService(plan))
    probed = await pipeline.run("probes", () => probe(plan, { serviceURL, storeRoot }, scope, now));
  else pipeline.skip("probes");
  const store = verified ?? restored?.check ?? UNCHECKED;
  return { restored, storeRoot, store, policy, service, serviceURL, probed };
}

/** Measure RTO and RPO, then build the report: every stage, every check, the verdict. */
function reportOf(
  plan: DrillPlan,
  runtime: DrillRuntime,
  startedAt: Date,
  pipeline: StagePipeline,
  ran: Ran & { readonly storeChecks: readonly ReportCheck[] },
): DrillReport {
  const measured = measureObjectives({
    objectives: plan.evidence.rollbackPolicy.objectives,
    scenario: plan.scenario,
    startedAt,
    probesDoneAt: ran.probed?.doneAt ?? null,
    proven: !hasErrors(pipeline.findings),
    backupTime: ran.restored?.backupTime ?? null,
  });
  pipeline.record(measured.findings);
  const exit = ran.service?.exit ?? null;
  return buildDrillReport(plan, {
    version: VERSION,
    startedAt,
    finishedAt: runtime.now(),
    stages: pipeline.stages,
    restored:
      ran.restored === null
        ? null
        : { backupTime: ran.restored.backupTime, resolved: ran.restored.resolvedSource },
    storeRoot: displayPath(ran.storeRoot),
    serviceURL: ran.serviceURL,
    store: ran.store,
    storeChecks: ran.storeChecks,
    policy: ran.policy ?? [],
    probed: ran.probed,
    measured,
    service:
      ran.service === null
        ? null
        : {
            exit: exit === null ? null : (exit.signal ?? `code ${String(exit.code)}`),
            log: ran.service.log,
          },
    findings: pipeline.findings,
  });
}

/**
 * A proven drill raises the store's high-water mark (never lowers it). Called by the verb once
 * the signed report is written, so a mark that cannot be written never costs the report.
 */
export async function raiseMarkAfter(plan: DrillPlan, report: DrillReport): Promise<void> {
  // One shard proves only its share; the mark waits for a whole drill.
  if (report.verdict !== "proven" || plan.shard !== null) return;
  const current = await readHighWater(plan.config.stateDir);
  if (!current.ok) return; // a damaged mark already failed the drill
  const { release } = plan.evidence.packet;
  await raiseHighWater(plan.config.stateDir, current.value, {
    releaseId: release.id,
    version: release.version,
    identity: report.releaseIdentity,
    provenAt: report.finishedAt,
    allowDowngrade: plan.evidence.rollbackPolicy.releases.allowDowngrade,
  });
}
