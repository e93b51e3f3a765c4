// The drill: restore into a scratch place, verify, start the service, probe, stop, measure,
// report, sign. Each step is a stage with its timing in the report; a failed drill still
// builds its report, because a signed "not proven" is evidence too. An interrupted one does
// not: it stops what it started and ends with the `interrupted` finding alone (with what it had
// found until then). Read runDrill top to bottom: every step below it is one stage.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { DrillConfig, ResolvedService } from "../documents/drill-config.js";
import type { Evidence, EvidenceFiles } from "../identity/chain.js";
import { releaseIdentityOf, verifyChain } from "../identity/chain.js";
import { findingOfError } from "../findings/errors.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { parseDuration } from "../policy/duration.js";
import { runProbes, probeSecrets, type ProbeCheck } from "../probes/run-probes.js";
import {
  createDrillReport,
  measureObjective,
  objectiveCheck,
  policyChecks,
  probeChecks,
  storeChecks,
  type DrillReport,
  type Objective,
} from "../report/drill-report.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import { raiseHighWater, readHighWater } from "../policy/high-water.js";
import type { RuleOutcome } from "../policy/rules.js";
import { executeRestore } from "../restore/execute.js";
import { createRestorePlan } from "../restore/plan.js";
import { freePort } from "../service/free-port.js";
import { createRedactor } from "../service/redact.js";
import { startService, waitUntilReady, type RunningService } from "../service/service-process.js";
import type { RestoreSource } from "../sources/source.js";
import type { ShardSelection } from "../shard/assign.js";
import { verifyShardStore } from "../shard/verify-shard-store.js";
import { verifyStore, type StoreCheckCounts } from "../store/verify-store.js";
import { PostgresSession } from "../postgres/session.js";
import { displayPath } from "../util/display-path.js";
import { guardDirectory, type Release } from "../util/guard.js";
import { noteReapsIn } from "../util/reaper.js";
import { interruptionOf, type Interruption } from "../util/run-scope.js";
import { VERSION } from "../version.js";
import { Interruptions } from "./interruptions.js";
import { readReapedNotes, reapedNotesDir } from "./reaped-notes.js";
import { StageClock } from "./stage-clock.js";
import type { ProgressReporter } from "../util/progress.js";
import type { StageRecord } from "../report/drill-report.js";

export type DrillMode =
  | {
      readonly kind: "restore";
      readonly source: RestoreSource;
      /** The directory under which the drill makes its own scratch directory; null: the OS temp. */
      readonly scratchParent: string | null;
      readonly keep: boolean;
    }
  | { readonly kind: "live"; readonly root: string; readonly url: string };

export type DrillPlan = {
  readonly evidence: Evidence;
  /** The evidence documents as shown in findings and reports. */
  readonly files: EvidenceFiles;
  /** The same documents' absolute paths: the service, in its own directory, gets {packet}. */
  readonly paths: EvidenceFiles;
  readonly config: DrillConfig;
  readonly mode: DrillMode;
  /** The operator allows a release below the store's high-water mark (--allow-downgrade). */
  readonly allowDowngrade: boolean;
  /** --shard i/n: check only this share of the manifest; shard 1 alone runs the service. */
  readonly shard: ShardSelection | null;
  readonly now: () => Date;
  /** Told how far the restore and the store check are. */
  readonly progress: ProgressReporter;
  /**
   * Aborted when the run is interrupted (the CLI: SIGINT or SIGTERM): the drill gives up the
   * stage it is in, stops what it started, removes its scratch place and builds no report.
   */
  readonly signal: AbortSignal;
};

export type DrillOutcome = {
  readonly stages: readonly StageRecord[];
  /** The store checks by check and role (of the shard, in a shard drill); null: not checked. */
  readonly storeCounts: StoreCheckCounts | null;
  readonly findings: ClassifiedFinding[];
  readonly scratchKept: string | null;
  /** The reaper's notes this drill reports: to be removed once its report is written. */
  readonly reapedNotes: readonly string[];
} & (
  | { readonly interrupted: null; readonly report: DrillReport }
  | { readonly interrupted: Interruption; readonly report: null }
);

/** What the stages learn and hand on to the ones after them. */
type DrillState = {
  storeRoot: string;
  scratchDir: string | null;
  backupTime: Date | null;
  resolvedSource: string | null;
  service: RunningService | null;
  serviceURL: string | null;
  probes: ProbeCheck[];
  probesDoneAt: Date | null;
  policy: RuleOutcome[];
  /** Whether the store was checked against the manifest (by the restore or in live mode). */
  storeChecked: boolean;
  /** The store checks by check and role, when the store was checked. */
  storeCounts: StoreCheckCounts | null;
  readonly storeFindings: ClassifiedFinding[];
  readonly findings: ClassifiedFinding[];
  /** The drill's PostgreSQL: its pg_dumps restored there stay for the sql probes. */
  readonly postgres: PostgresSession;
  /** Says the scratch place is gone (or kept): it is no longer removed at exit or by the reaper. */
  releaseScratch: Release;
};

export async function runDrill(plan: DrillPlan): Promise<DrillOutcome> {
  const { config, mode } = plan;
  const startedAt = plan.now();
  const state: DrillState = {
    storeRoot: mode.kind === "live" ? mode.root : "",
    scratchDir: null,
    backupTime: null,
    resolvedSource: null,
    service: null,
    serviceURL: mode.kind === "live" ? mode.url.replace(/\/+$/, "") : null,
    probes: [],
    probesDoneAt: null,
    policy: [],
    storeChecked: false,
    storeCounts: null,
    storeFindings: [],
    findings: [],
    postgres: new PostgresSession(config.postgres, true),
    releaseScratch: () => undefined,
  };
  const clock = new StageClock(plan.now, (error) => state.findings.push(findingOfError(error)));
  // A stage runs until it ends or the drill is interrupted; one too short to give up runs whole.
  const found = () => [...state.findings, ...state.storeFindings];
  const interruptions = new Interruptions(plan.signal, found);
  const stage = (name: string, body: () => boolean | Promise<boolean>) =>
    clock.run(name, () => interruptions.run(name, body));
  const whole = (name: string, body: () => boolean | Promise<boolean>) =>
    clock.run(name, () => interruptions.runWhole(name, body));
  // If this drill dies before it has cleaned up, the reaper does, and the next drill says so.
  const forgetNotes = noteReapsIn(
    reapedNotesDir(config.stateDir),
    `the drill of ${plan.evidence.packet.release.id} started at ${startedAt.toISOString()} (process ${String(process.pid)})`,
  );
  const reaped = await readReapedNotes(config.stateDir);
  state.findings.push(...reaped.findings);
  try {
    await whole("check evidence", () => checkEvidence(plan, state));
    await whole("check rollback policy", () => checkPolicy(plan, state));
    if (mode.kind === "restore") await stage("restore", () => restoreBackup(plan, mode, state));
    else clock.skip("restore");
    await stage("verify store", () => verifyRestoredStore(plan, state));
    if (mode.kind === "restore" && config.service && runsService(plan)) {
      const service = config.service;
      await whole("start service", () => startTheService(plan, service, state));
      await stage("wait for readiness", () => waitForReadiness(plan, service, state));
    } else {
      clock.skip("start service");
      clock.skip("wait for readiness");
    }
    if (runsService(plan)) await stage("probes", () => probe(plan, state));
    else clock.skip("probes");
  } finally {
    await clock.always("stop service", () => stopTheService(config, state));
    // The throwaway PostgreSQL server goes with the drill (at once, if it is still starting or
    // restoring); scratch databases on a postgres.url server are dropped.
    await state.postgres.close();
    interruptions.dispose();
  }
  const interruption = interruptionOf(plan.signal);
  if (interruption !== null) {
    const scratchKept = await cleanScratch(mode, state, interruptions);
    forgetNotes();
    return interruptions.outcome(interruption, clock.stages, scratchKept);
  }
  const { rto, rpo } = measure(plan, startedAt, state);
  const report = buildReport(plan, startedAt, clock, state, rto, rpo);
  const scratchKept = await cleanScratch(mode, state, interruptions);
  forgetNotes();
  return {
    interrupted: null,
    report,
    stages: report.stages,
    storeCounts: state.storeCounts,
    findings: found(),
    scratchKept,
    reapedNotes: reaped.files,
  };
}

// 1. The evidence chain: a drill of broken evidence proves nothing.
function checkEvidence(plan: DrillPlan, state: DrillState): boolean {
  const broken = verifyChain(plan.evidence, plan.files);
  state.findings.push(...broken);
  return broken.length === 0;
}

// 1b. The rollback policy with the store's high-water mark: a release it forbids is not drilled.
//     A downgrade let through on purpose is recorded.
async function checkPolicy(plan: DrillPlan, state: DrillState): Promise<boolean> {
  const check = await checkReleasePolicy(plan.evidence, plan.files, plan.config.stateDir, {
    now: plan.now(),
    allowDowngrade: plan.allowDowngrade,
  });
  state.policy = check.outcomes;
  state.findings.push(...check.findings);
  const downgrade = check.outcomes.find((o) => o.overridden === true);
  if (downgrade)
    state.findings.push(
      createFinding("downgrade_allowed", {
        subject: `${plan.files.rollbackPolicy}#${downgrade.field}`,
        severity: "info",
        expected: downgrade.expected,
        actual: downgrade.actual,
        message: downgrade.message,
      }),
    );
  return check.findings.length === 0;
}

// 2. Restore the backup into a fresh scratch directory (restore mode only). The restore
//    verifies the tree against the manifest before it is put in place.
async function restoreBackup(
  plan: DrillPlan,
  mode: Extract<DrillMode, { kind: "restore" }>,
  state: DrillState,
): Promise<boolean> {
  // Absolute, as {store} must be: $TMPDIR may be relative.
  const parent = resolve(mode.scratchParent ?? tmpdir());
  await mkdir(parent, { recursive: true });
  state.scratchDir = await mkdtemp(join(parent, "recoverable-drill-"));
  if (!mode.keep)
    state.releaseScratch = guardDirectory(state.scratchDir, "drill scratch directory");
  state.storeRoot = join(state.scratchDir, "store");
  state.backupTime = await mode.source.backupTime();
  state.resolvedSource = await mode.source.resolved();
  const restorePlan = createRestorePlan({
    source: mode.source.ref.text,
    target: state.storeRoot,
    targetState: "absent",
    now: plan.now(),
    nonce: randomBytes(3).toString("hex"),
  });
  const { manifest } = plan.evidence;
  const shard = plan.shard;
  const postgres = state.postgres;
  const outcome = await executeRestore(restorePlan, mode.source, manifest, {
    verifyRestored:
      shard === null
        ? (root, options) => verifyStore(root, manifest, { ...options, postgres })
        : (root, options) => verifyShardStore(root, manifest, shard, { ...options, postgres }),
    progress: plan.progress,
  });
  state.storeFindings.push(...outcome.findings);
  state.storeChecked = outcome.checked !== null;
  state.storeCounts = outcome.checked;
  return outcome.swapped;
}

// 3. Verify the store. A restore has verified it already; live mode checks it here.
async function verifyRestoredStore(plan: DrillPlan, state: DrillState): Promise<boolean> {
  if (plan.mode.kind === "live") {
    const { manifest } = plan.evidence;
    const options = { progress: plan.progress, postgres: state.postgres };
    const verification =
      plan.shard === null
        ? await verifyStore(state.storeRoot, manifest, options)
        : await verifyShardStore(state.storeRoot, manifest, plan.shard, options);
    state.storeFindings.push(...verification.findings);
    state.storeChecked = true;
    state.storeCounts = verification.checked;
  }
  return !hasErrors(state.storeFindings);
}

// 3b. In a shard drill, shard 1 alone starts the service and probes it: n services against n
//     partial checks would prove the same thing n times. The other shards skip those stages.
function runsService(plan: DrillPlan): boolean {
  return plan.shard === null || plan.shard.spec.index === 1;
}

// 4. Start the service against the restored store, on a free port.
async function startTheService(
  plan: DrillPlan,
  service: ResolvedService,
  state: DrillState,
): Promise<boolean> {
  const redact = createRedactor(
    probeSecrets(plan.evidence.packet.probes, plan.config.secretHeaders),
  );
  const port = await freePort();
  const started = await startService(
    service,
    { store: state.storeRoot, port, packet: plan.paths.packet },
    redact,
  );
  if (!started.started) {
    state.findings.push(
      createFinding("service_failed_to_start", {
        subject: service.command.join(" "),
        actual: started.error,
        message: `the service command could not be started: ${started.error}`,
      }),
    );
    return false;
  }
  state.service = started.service;
  state.serviceURL = started.service.url;
  return true;
}

// 5. Wait until it answers its readiness path, within the configured limit.
async function waitForReadiness(
  plan: DrillPlan,
  service: ResolvedService,
  state: DrillState,
): Promise<boolean> {
  if (state.service === null) return false;
  const readiness = await waitUntilReady(
    state.service,
    service.readinessPath,
    service.readinessTimeoutMs,
    plan.signal,
  );
  if (!readiness.ready && !plan.signal.aborted)
    state.findings.push(
      createFinding("service_not_ready", {
        subject: `${state.service.url}${service.readinessPath}`,
        expected: "a 2xx answer",
        actual: readiness.reason,
        message: `the service did not become ready: ${readiness.reason}`,
      }),
    );
  return readiness.ready;
}

// 6. Run the release's probes against the service and the restored store.
async function probe(plan: DrillPlan, state: DrillState): Promise<boolean> {
  const result = await runProbes(
    plan.evidence.packet.probes,
    {
      baseURL: state.serviceURL,
      storeRoot: state.storeRoot,
      packet: plan.evidence.packet,
      allowedHosts: plan.config.probeHosts,
      secretHeaders: plan.config.secretHeaders,
      pgdumps: new Set(
        plan.evidence.manifest.artifacts.filter((a) => a.kind === "pgdump").map((a) => a.path),
      ),
      postgres: state.postgres,
    },
    releaseIdentityOf(plan.evidence.packet).sha256,
  );
  state.probes = result.checks;
  state.findings.push(...result.findings);
  state.probesDoneAt = plan.now();
  return !hasErrors(result.findings);
}

// 7. Stop the service, whatever happened: SIGTERM, then SIGKILL after the grace period.
async function stopTheService(config: DrillConfig, state: DrillState): Promise<boolean | null> {
  if (state.service === null) return null;
  await state.service.stop(config.service?.stopGraceMs ?? 5000);
  return true;
}

// 8. Measure RTO (drill start to a service that answered its probes) and RPO (backup age).
function measure(
  plan: DrillPlan,
  startedAt: Date,
  state: DrillState,
): { rto: Objective; rpo: Objective } {
  const objectives = plan.evidence.rollbackPolicy.objectives;
  const proven = !hasErrors([...state.findings, ...state.storeFindings]);
  const rto = measureObjective(
    state.probesDoneAt === null || !proven
      ? null
      : state.probesDoneAt.getTime() - startedAt.getTime(),
    parseDuration(objectives.rto),
  );
  const rpo = measureObjective(
    state.backupTime === null ? null : startedAt.getTime() - state.backupTime.getTime(),
    parseDuration(objectives.rpo),
  );
  if (rto.status === "failed")
    state.findings.push(
      createFinding("rto_exceeded", {
        subject: "rto",
        expected: `at most ${objectives.rto}`,
        actual: `${String(rto.seenSeconds)}s`,
        message: `recovery took ${String(rto.seenSeconds)}s, over the RTO target of ${objectives.rto}`,
      }),
    );
  if (rpo.status === "failed")
    state.findings.push(
      createFinding("rpo_exceeded", {
        subject: "rpo",
        expected: `at most ${objectives.rpo}`,
        actual: `${String(rpo.seenSeconds)}s`,
        message: `the backup was ${String(rpo.seenSeconds)}s old, over the RPO target of ${objectives.rpo}`,
      }),
    );
  return { rto, rpo };
}

// 9. The report: every stage, every check, the findings and the verdict.
function buildReport(
  plan: DrillPlan,
  startedAt: Date,
  clock: StageClock,
  state: DrillState,
  rto: Objective,
  rpo: Objective,
): DrillReport {
  const { mode, config, evidence } = plan;
  const exit = state.service?.exit ?? null;
  return createDrillReport({
    version: VERSION,
    mode: mode.kind,
    releaseId: evidence.packet.release.id,
    releaseIdentity: releaseIdentityOf(evidence.packet),
    source:
      mode.kind === "restore"
        ? {
            text: mode.source.ref.text,
            backupTime: state.backupTime?.toISOString() ?? null,
            resolved: state.resolvedSource,
          }
        : null,
    storeRoot: displayPath(state.storeRoot),
    serviceURL: state.serviceURL,
    startedAt: startedAt.toISOString(),
    finishedAt: plan.now().toISOString(),
    stages: clock.stages,
    checks: [
      ...storeChecks(
        plan.shard?.artifacts ?? evidence.manifest.artifacts,
        state.storeFindings,
        state.storeChecked,
      ),
      ...policyChecks(state.policy),
      ...probeChecks(state.probes),
      objectiveCheck("rto", rto),
      objectiveCheck("rpo", rpo),
    ],
    rto,
    rpo,
    policy: state.policy,
    service:
      state.service && config.service
        ? {
            command: config.service.command,
            exit: exit === null ? null : (exit.signal ?? `code ${String(exit.code)}`),
            log: state.service.log,
          }
        : null,
    findings: [...state.findings, ...state.storeFindings],
  });
}

// 9b. A proven drill raises the store's high-water mark (never lowers it). Called by the verb
//     once the signed report is written, so a mark that cannot be written never costs the report.
export async function raiseMarkAfter(plan: DrillPlan, report: DrillReport): Promise<void> {
  // One shard proves only its share; the mark waits for a whole drill.
  if (report.verdict !== "proven" || plan.shard !== null) return;
  const current = await readHighWater(plan.config.stateDir);
  if (current !== null && "code" in current) return; // a damaged mark already failed the drill
  const { release } = plan.evidence.packet;
  await raiseHighWater(plan.config.stateDir, current, {
    releaseId: release.id,
    version: release.version,
    identity: report.releaseIdentity,
    provenAt: report.finishedAt,
    allowDowngrade: plan.evidence.rollbackPolicy.releases.allowDowngrade,
  });
}

// 10. Remove the scratch place unless asked to keep it. A restore given up at an interruption
//     may still write into it: it is removed once more when that work has ended (or at exit).
async function cleanScratch(
  mode: DrillMode,
  state: DrillState,
  interruptions: Interruptions,
): Promise<string | null> {
  const dir = state.scratchDir;
  if (dir === null) return null;
  if (mode.kind === "restore" && mode.keep) return dir;
  await rm(dir, { recursive: true, force: true });
  if (!interruptions.anyAbandoned) state.releaseScratch();
  else
    void interruptions
      .settled()
      .then(() => rm(dir, { recursive: true, force: true }))
      .catch(() => undefined)
      .finally(state.releaseScratch);
  return null;
}
