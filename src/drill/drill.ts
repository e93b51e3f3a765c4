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
import type { Scenario } from "../documents/types.js";
import type { Evidence, EvidenceFiles } from "../documents/identity-chain.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import { findingOfError } from "../findings/errors.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { parseDuration } from "../util/duration.js";
import { runProbes, probeSecrets, type ProbeCheck } from "../probes/run-probes.js";
import {
  createDrillReport,
  measureObjective,
  notRunReason,
  objectiveCheck,
  policyChecks,
  probeChecks,
  skippedProbeChecks,
  storeChecks,
} from "../report/drill-report.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import { raiseHighWater, readHighWater } from "../policy/high-water.js";
import { executeRestore } from "../restore/execute.js";
import { createRestorePlan } from "../restore/plan.js";
import { freePort } from "../service/free-port.js";
import { createRedactor } from "../service/redact.js";
import { postgresURLsFor } from "../service/postgres-urls.js";
import { startService, waitUntilReady, type RunningService } from "../service/service-process.js";
import type { RestoreSource } from "../archive/source.js";
import type { BackupRecord } from "../archive/backup-record.js";
import { bytesPinnedByRelease } from "../store/identity-levels.js";
import type { ShardSelection } from "../shard/assign.js";
import { verifyShardStore } from "../shard/verify-shard-store.js";
import { verifyStore, type StoreCheckCounts } from "../store/verify-store.js";
import { PostgresSession } from "../postgres/session.js";
import { displayPath } from "../util/display-path.js";
import { guardDirectory, type Release } from "../util/guard.js";
import { noteReapsIn } from "../util/reaper.js";
import { interruptionOf, type Interruption } from "../util/run-scope.js";
import { VERSION } from "../util/version.js";
import { Interruptions } from "./interruptions.js";
import { readReapedNotes, reapedNotesDir } from "./reaped-notes.js";
import { StageClock } from "./stage-clock.js";
import type { ProgressReporter } from "../util/progress.js";
import type {
  DrillReport,
  Objective,
  StageRecord,
  RuleOutcome,
} from "../documents/drill-report.js";

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
  /** drill --scenario: its RTO and RPO replace the policy's objectives. */
  readonly scenario?: Scenario | null;
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
  /** The backup's own record that pinned the bytes the release does not (docs/live-data.md). */
  record: BackupRecord | null;
  /** The store's findings, for its checks; they are in `findings` too. */
  readonly storeFindings: ClassifiedFinding[];
  /** Every finding in the order the stages found them: the first error is the first failure. */
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
    record: null,
    storeFindings: [],
    findings: [],
    postgres: new PostgresSession(config.postgres, true),
    releaseScratch: () => undefined,
  };
  const clock = new StageClock(
    plan.now,
    (error) => state.findings.push(findingOfError(error)),
    plan.progress,
  );
  // A stage runs until it ends or the drill is interrupted; one too short to give up runs whole.
  const interruptions = new Interruptions(plan.signal, () => state.findings);
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
  let scratchKept: string | null = null;
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
    await clock.always("teardown", async () => {
      scratchKept = await tearDown(mode, state, interruptions);
      return true;
    });
  }
  forgetNotes();
  const interruption = interruptionOf(plan.signal);
  if (interruption !== null) return interruptions.outcome(interruption, clock.stages, scratchKept);
  const { rto, rpo } = measure(plan, startedAt, state);
  const report = buildReport(plan, startedAt, clock, state, rto, rpo);
  return {
    interrupted: null,
    report,
    stages: report.stages,
    storeCounts: state.storeCounts,
    findings: state.findings,
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
  const exclude = plan.config.exclude;
  const outcome = await executeRestore(restorePlan, mode.source, manifest, {
    verifyRestored:
      shard === null
        ? (root, options) => verifyStore(root, manifest, { ...options, postgres, exclude })
        : (root, options) =>
            verifyShardStore(root, manifest, shard, { ...options, postgres, exclude }),
    progress: plan.progress,
  });
  state.storeFindings.push(...outcome.findings);
  state.findings.push(...outcome.findings);
  state.storeChecked = outcome.checked !== null;
  state.storeCounts = outcome.checked;
  state.record = outcome.record ?? null;
  return outcome.swapped;
}

// 3. Verify the store. A restore has verified it already; live mode checks it here.
async function verifyRestoredStore(plan: DrillPlan, state: DrillState): Promise<boolean> {
  if (plan.mode.kind === "live") {
    const { manifest } = plan.evidence;
    const options = {
      progress: plan.progress,
      postgres: state.postgres,
      exclude: plan.config.exclude,
    };
    const verification =
      plan.shard === null
        ? await verifyStore(state.storeRoot, manifest, options)
        : await verifyShardStore(state.storeRoot, manifest, plan.shard, options);
    state.storeFindings.push(...verification.findings);
    state.findings.push(...verification.findings);
    state.storeChecked = true;
    state.storeCounts = verification.checked;
  }
  if (state.storeChecked) state.findings.push(...contentRulesOnly(plan, state));
  return !hasErrors(state.storeFindings);
}

// 3a. Live data whose bytes no record pinned is said once, as an info finding: the report's
//     checks say it artifact by artifact.
function contentRulesOnly(plan: DrillPlan, state: DrillState): ClassifiedFinding[] {
  if (state.record !== null) return [];
  const artifacts = plan.shard?.artifacts ?? plan.evidence.manifest.artifacts;
  const unpinned = artifacts.filter((a) => a.role !== "disposable" && !bytesPinnedByRelease(a));
  if (unpinned.length === 0) return [];
  const source = plan.mode.kind === "restore" ? plan.mode.source.ref.text : "the live store";
  return [
    createFinding("bytes_not_pinned", {
      subject: source,
      severity: "info",
      expected: "a backup record of every byte (a snapshot, or an archive exported from one)",
      actual: "no record",
      message: `${source} has no record of its own bytes, so ${unpinned.length} artifact${unpinned.length === 1 ? " was" : "s were"} checked by the content rules of ${unpinned.length === 1 ? "its level" : "their levels"} only: ${unpinned
        .slice(0, 5)
        .map((a) => a.path)
        .join(", ")}${unpinned.length > 5 ? ", ..." : ""}`,
    }),
  ];
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
  const kinds = new Map(plan.evidence.manifest.artifacts.map((a) => [a.path, a.kind]));
  const postgres = await postgresURLsFor(
    service,
    plan.evidence.packet.datasets,
    (path) => kinds.get(path),
    state.storeRoot,
    state.postgres,
  );
  if (!postgres.ok) {
    state.findings.push(
      createFinding("service_failed_to_start", {
        subject: service.command.join(" "),
        actual: postgres.error,
        message: `the service was not started: ${postgres.error}`,
      }),
    );
    return false;
  }
  const port = await freePort();
  const started = await startService(
    service,
    { store: state.storeRoot, port, packet: plan.paths.packet, postgres: postgres.urls },
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
  const objectives = plan.scenario ?? plan.evidence.rollbackPolicy.objectives;
  const of = plan.scenario == null ? "" : ` of scenario ${plan.scenario.name}`;
  const proven = !hasErrors(state.findings);
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
        message: `recovery took ${String(rto.seenSeconds)}s, over the RTO target${of} of ${objectives.rto}`,
      }),
    );
  if (rpo.status === "failed")
    state.findings.push(
      createFinding("rpo_exceeded", {
        subject: "rpo",
        expected: `at most ${objectives.rpo}`,
        actual: `${String(rpo.seenSeconds)}s`,
        message: `the backup was ${String(rpo.seenSeconds)}s old, over the RPO target${of} of ${objectives.rpo}`,
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
            ...(state.record === null ? {} : { record: state.record.name }),
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
        state.record,
      ),
      ...policyChecks(state.policy, notRunReason(clock.stages)),
      // Every probe of the release, run or not (shards other than 1 leave them to shard 1).
      ...(state.probesDoneAt !== null
        ? probeChecks(state.probes)
        : runsService(plan)
          ? skippedProbeChecks(
              evidence.packet,
              releaseIdentityOf(evidence.packet).sha256,
              notRunReason(clock.stages),
            )
          : []),
      objectiveCheck("rto", rto),
      objectiveCheck("rpo", rpo),
    ],
    rto,
    rpo,
    ...(plan.scenario == null
      ? {}
      : { scenario: { name: plan.scenario.name, rto: plan.scenario.rto, rpo: plan.scenario.rpo } }),
    policy: state.policy,
    service:
      state.service && config.service
        ? {
            command: config.service.command,
            exit: exit === null ? null : (exit.signal ?? `code ${String(exit.code)}`),
            log: state.service.log,
          }
        : null,
    findings: state.findings,
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

// 7b. Tear down what the drill made, whatever happened, before the report closes, so its
//     stages account for all its time: the throwaway PostgreSQL server goes (at once, if it is
//     still starting or restoring), scratch databases on a postgres.url server are dropped, and
//     the scratch place is removed unless asked to keep it. Returns the scratch place kept.
async function tearDown(
  mode: DrillMode,
  state: DrillState,
  interruptions: Interruptions,
): Promise<string | null> {
  await state.postgres.close();
  interruptions.dispose();
  return cleanScratch(mode, state, interruptions);
}
