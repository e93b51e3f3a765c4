// drill: the whole recovery drill, from a backup (or a live store and URL) to a signed report.
import { join, resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import { raiseMarkAfter, runDrill, type DrillMode, type DrillOutcome } from "../drill/drill.js";
import type { DrillConfig } from "../documents/drill-config.js";
import type { Manifest, Packet } from "../documents/types.js";
import { checkDatasetReferences } from "../documents/dataset-references.js";
import { digestOfJSON } from "../identity/digest.js";
import type { Signer } from "../report/signing.js";
import { selectShard, type ShardSelection } from "../shard/assign.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type DrillShardReport,
} from "../shard/shard-report.js";
import { parseShardSpec } from "../shard/shard-spec.js";
import { resolveScenario } from "../drill/scenario.js";
import type { ShardSummary } from "./verify.js";
import { findingOfError } from "../findings/errors.js";
import { drillInterrupted } from "../drill/interruptions.js";
import { forgetReapedNotes } from "../drill/reaped-notes.js";
import { signedFiles } from "../report/write-signed.js";
import {
  drillOutputs,
  writeDrillOutputs,
  type DrillOutputs,
  type ReportPaths,
} from "../drill/outputs.js";
import { displayPath } from "../util/display-path.js";
import { loadSigner } from "../report/load-signer.js";
import { pinnedLine } from "../report/render-text.js";
import { readIdentities } from "../archive/age-keys.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef } from "../archive/source.js";
import { configuredBackup, fileNameOf, sourceOfBackup } from "./configured-backup.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { checkpoint } from "../util/checkpoint.js";
import { compactUTC } from "../util/compact-time.js";
import { NO_PROGRESS, type ProgressReporter, type StageOutcome } from "../util/progress.js";
import { interruptionOf } from "../util/run-scope.js";
import { secretLocation } from "../util/secret-location.js";
import type { DrillReport, Objective, StageRecord } from "../documents/drill-report.js";

export type DrillOptions = CommonOptions & {
  /** Default: the backup of the drill config named by `backup`, else its authoritative one. */
  readonly source?: string;
  /** The name of a backup of the drill config's `backups` to drill (its source, relative to it). */
  readonly backup?: string;
  readonly scratch?: string;
  /** An age identity file, for `.age` archives. */
  readonly identity?: string;
  readonly key?: string;
  readonly out?: string;
  readonly keep?: boolean;
  /** Drill a release below the store's high-water mark, when the policy allows downgrades. */
  readonly allowDowngrade?: boolean;
  /** `i/n`: check only shard i of n and sign a shard report instead of a drill report. */
  readonly shard?: string;
  /** A failure scenario of the rollback policy whose RTO and RPO the drill is judged against. */
  readonly scenario?: string;
  readonly live?: boolean;
  readonly url?: string;
  readonly now?: () => Date;
  /**
   * Interrupts the drill when it aborts: it stops what it started, removes its scratch place,
   * writes no report, and its result has the `interrupted` finding. The CLI passes one that
   * SIGINT and SIGTERM abort; the library never handles a signal itself.
   */
  readonly signal?: AbortSignal;
};

export type DrillResult = VerbResult<{
  /** Only with --shard. */
  shard?: ShardSummary;
  report: ReportPaths | null;
  rto: Objective | null;
  rpo: Objective | null;
  stages: readonly StageRecord[];
  scratchKept: string | null;
  /**
   * Who pinned the bytes of the store checks, when the release does not pin them all (live
   * data, docs/live-data.md): "bytes pinned by: the release 4, the backup record (...) 3, ...".
   */
  pinned?: string;
}>;

const NONE = { report: null, rto: null, rpo: null, stages: [], scratchKept: null };

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

export async function drill(options: DrillOptions = {}): Promise<DrillResult> {
  const now = options.now ?? (() => new Date());
  const fail = (findings: ClassifiedFinding[]) => createResult("drill", findings, NO_RELEASE, NONE);
  // 1. Load and validate everything before any work.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail([...loaded.findings]);
  const { cwd, config } = loaded.value;
  const inputFindings: ClassifiedFinding[] = [];
  if (options.live && (options.root === undefined || options.url === undefined))
    inputFindings.push(usage("--live", "--live needs --root <store> and --url <base URL>"));
  // No --source: the configured backup named by `backup`, else the authoritative one.
  const configured =
    options.live || options.source !== undefined ? null : configuredBackup(config, options.backup);
  if (configured !== null && "code" in configured) inputFindings.push(configured);
  const configuredSource =
    configured !== null && !("code" in configured) ? await sourceOfBackup(configured) : null;
  if (configuredSource !== null && typeof configuredSource !== "string")
    inputFindings.push(configuredSource);
  const keyPath = options.key === undefined ? config.signingKey : secretLocation(cwd, options.key);
  if (keyPath === null)
    inputFindings.push(
      usage(
        "--key",
        "no signing key: pass --key <drill.key> or set signing.key in the drill config (make one with `recoverable keygen`)",
      ),
    );
  const signer = keyPath === null ? null : await loadSigner(keyPath);
  if (signer !== null && "code" in signer) inputFindings.push(signer);
  const ref =
    options.source !== undefined
      ? parseSourceRef(options.source, cwd)
      : typeof configuredSource === "string"
        ? parseSourceRef(configuredSource, config.baseDir)
        : null;
  if (ref !== null && "code" in ref) inputFindings.push(ref);
  const sourceOptions =
    options.identity === undefined ? {} : { identity: secretLocation(cwd, options.identity) };
  // An identity that cannot be used is bad input: say so before any work, not mid-drill.
  if (sourceOptions.identity !== undefined) {
    const identities = await readIdentities(sourceOptions.identity);
    if (!Array.isArray(identities)) inputFindings.push(identities);
  }
  if (!options.live && (options.root !== undefined || options.url !== undefined))
    inputFindings.push(
      usage(
        options.url === undefined ? "--root" : "--url",
        "--root and --url are for --live (a store and service already up); a restore drill takes --source",
      ),
    );
  if (options.live && options.source !== undefined)
    inputFindings.push(
      usage("--source", "--live proves what is already up and restores nothing: drop --source"),
    );
  const source = ref === null || "code" in ref ? null : openSource(ref, sourceOptions);
  if (source !== null && "code" in source) inputFindings.push(source);
  const spec = options.shard === undefined ? null : parseShardSpec(options.shard);
  if (spec !== null && "code" in spec) inputFindings.push(spec);
  // Told to progress: a manifest of a million artifacts takes seconds to read.
  const loading = (options.progress ?? NO_PROGRESS).stage("load evidence");
  const evidence = await loadEvidence(loaded.value.evidence);
  loading.done(evidence.ok ? "passed" : "failed");
  if (!evidence.ok) inputFindings.push(...evidence.findings);
  else inputFindings.push(...referenceFindings(evidence.evidence, config));
  const scenario = evidence.ok
    ? resolveScenario(
        options.scenario,
        evidence.evidence.rollbackPolicy,
        evidence.files.rollbackPolicy,
      )
    : null;
  if (scenario !== null && "code" in scenario) inputFindings.push(scenario);
  if (
    inputFindings.length > 0 ||
    !evidence.ok ||
    signer === null ||
    "code" in signer ||
    (spec !== null && "code" in spec)
  )
    return fail(inputFindings);
  const shard = spec === null ? null : selectShard(evidence.evidence.manifest.artifacts, spec);

  // 2. The drill itself.
  let mode: DrillMode;
  if (options.live && options.root !== undefined && options.url !== undefined)
    mode = { kind: "live", root: resolve(cwd, options.root), url: options.url };
  else if (source !== null && !("code" in source))
    mode = {
      kind: "restore",
      source,
      scratchParent: options.scratch === undefined ? null : resolve(cwd, options.scratch),
      keep: options.keep ?? false,
    };
  else return fail(inputFindings);
  const signal = options.signal ?? new AbortController().signal;
  const plan = {
    evidence: evidence.evidence,
    files: evidence.files,
    paths: loaded.value.evidence,
    config,
    mode,
    allowDowngrade: options.allowDowngrade ?? false,
    shard,
    scenario: scenario !== null && "code" in scenario ? null : scenario,
    now,
    progress: options.progress ?? NO_PROGRESS,
    signal,
  };
  const release = {
    releaseId: evidence.evidence.packet.release.id,
    releaseIdentity: releaseIdentityOf(evidence.evidence.packet),
  };
  const outcome = await runDrill(plan);
  // An interrupted drill proves nothing and writes nothing.
  if (outcome.interrupted !== null)
    return createResult("drill", outcome.findings, release, {
      ...NONE,
      stages: outcome.stages,
      scratchKept: outcome.scratchKept,
    });
  await checkpoint("drill-before-report", signal);

  // 3. Write and sign the outputs, whatever the verdict; all of them, unless interrupted first.
  //    A stage for progress and the result, after the report's own stages: a signed report
  //    cannot hold the time of its signing.
  const backupSuffix = options.backup === undefined ? "" : `-${fileNameOf(options.backup)}`;
  const outDir =
    options.out === undefined
      ? join(config.reportsDir, `${release.releaseId}-${compactUTC(now())}${backupSuffix}`)
      : resolve(cwd, options.out);
  const outputs =
    shard === null
      ? drillOutputs(outcome.report, outDir, signer)
      : shardDrillOutputs(
          outcome.report,
          outcome,
          evidence.evidence.manifest,
          shard,
          outDir,
          signer,
        );
  const notSigned = () =>
    createResult(
      "drill",
      [
        ...outcome.findings,
        drillInterrupted(interruptionOf(signal) ?? "aborted", "before its report was signed"),
      ],
      release,
      { ...NONE, stages: outcome.stages, scratchKept: outcome.scratchKept },
    );
  if (interruptionOf(signal) !== null) return notSigned();
  const { value: written, stage: signing } = await timed(plan, "sign report", () =>
    writeDrillOutputs(outputs, signal),
  );
  if (!written) return notSigned();
  // 4. Only now, with the signed report safe, a proven drill raises the high-water mark, and
  //    the reaper's notes it reports are done with.
  const findings = [...outcome.findings];
  try {
    await raiseMarkAfter(plan, outcome.report);
    await forgetReapedNotes(outcome.reapedNotes);
  } catch (error) {
    findings.push(findingOfError(error));
  }
  return createResult("drill", findings, release, {
    report: outputs.paths,
    rto: outcome.report.rto,
    rpo: outcome.report.rpo,
    ...pinnedOf(outcome.report),
    stages: [...outcome.report.stages, signing],
    scratchKept: outcome.scratchKept,
    ...(shard === null
      ? {}
      : {
          shard: {
            index: shard.spec.index,
            count: shard.spec.count,
            artifacts: shard.artifacts.length,
            bytes: shard.bytes,
          },
        }),
  });
}

/**
 * A {postgres.url:<dataset>} of the service naming no pg_dump dataset of the release: bad input,
 * said before the drill runs. (The sealed probes were checked by seal; one naming no dataset in
 * evidence sealed before it checked fails as a probe, as it always did.)
 */
function referenceFindings(
  evidence: { manifest: Manifest; packet: Packet },
  config: DrillConfig,
): ClassifiedFinding[] {
  const kinds = new Map(evidence.manifest.artifacts.map((a) => [a.path, a.kind]));
  return checkDatasetReferences({
    configName: config.file === null ? "drill config" : displayPath(config.file),
    probes: [],
    service: config.service,
    datasets: evidence.packet.datasets,
    kindOf: (path) => kinds.get(path),
  });
}

function pinnedOf(report: DrillReport): { pinned?: string } {
  const line = pinnedLine(report);
  return line === null ? {} : { pinned: line };
}

/** A stage the verb runs itself, told to progress and recorded as the report's stages are. */
async function timed<T>(
  plan: { readonly now: () => Date; readonly progress: ProgressReporter },
  name: string,
  body: () => Promise<T>,
): Promise<{ value: T; stage: StageRecord }> {
  const shown = plan.progress.stage(name);
  const started = plan.now();
  let status: StageOutcome = "failed";
  try {
    const value = await body();
    status = "passed";
    const durationMs = plan.now().getTime() - started.getTime();
    return { value, stage: { name, status, startedAt: started.toISOString(), durationMs } };
  } finally {
    shown.done(status);
  }
}

/**
 * A shard drill's files: the drill report renderings as usual, but signed only as a shard
 * report, so that no one shard's envelope can pass for a whole drill in gate or audit.
 */
function shardDrillOutputs(
  drillReport: DrillReport,
  outcome: DrillOutcome,
  manifest: Manifest,
  shard: ShardSelection,
  outDir: string,
  signer: Signer,
): DrillOutputs {
  // The renderings go in a folder of their own, so n shards can share one --out.
  const renderings = drillOutputs(drillReport, join(outDir, shardFileName(shard.spec, "")), null);
  const report: DrillShardReport = {
    ...drillReport,
    kind: "drill",
    manifest: summarizeManifest(manifest, digestOfJSON(manifest)),
    shard: coverageOf(shard),
    checked: outcome.storeCounts,
    serviceStages: shard.spec.index === 1 ? "run in this shard" : "skipped: shard 1 runs them",
  };
  const base = join(outDir, shardFileName(shard.spec, ""));
  const signed = signedFiles({
    json: `${base}.json`,
    envelope: `${base}.dsse.json`,
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId: report.releaseId,
    releaseIdentity: report.releaseIdentity,
    report,
    signer,
  });
  return {
    files: [...renderings.files, ...signed],
    paths: {
      ...renderings.paths,
      json: displayPath(`${base}.json`),
      envelope: displayPath(`${base}.dsse.json`),
    },
    markdown: renderings.markdown,
  };
}
