// drill: the whole recovery drill, from a backup (or a live store and URL) to a signed report.
import { join, resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf } from "../identity/chain.js";
import { raiseMarkAfter, runDrill, type DrillMode, type DrillOutcome } from "../drill/drill.js";
import type { Manifest } from "../documents/types.js";
import { digestOfJSON } from "../identity/digest.js";
import type { Signer } from "../report/signing.js";
import { writeSignedReport } from "../report/write-signed.js";
import { selectShard, type ShardSelection } from "../shard/assign.js";
import {
  coverageOf,
  shardFileName,
  SHARD_REPORT_PREDICATE_TYPE,
  summarizeManifest,
  type DrillShardReport,
} from "../shard/shard-report.js";
import { parseShardSpec } from "../shard/shard-spec.js";
import type { ShardSummary } from "./verify.js";
import { findingOfError } from "../findings/errors.js";
import { writeDrillOutputs, type ReportPaths } from "../drill/outputs.js";
import type { Objective, StageRecord } from "../report/drill-report.js";
import { loadSigner } from "../report/load-signer.js";
import { readIdentities } from "../sources/age-keys.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef } from "../sources/source.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { compactUTC } from "../util/compact-time.js";
import { NO_PROGRESS } from "../util/progress.js";
import { secretLocation } from "../util/secret-location.js";

export type DrillOptions = CommonOptions & {
  readonly source?: string;
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
  readonly live?: boolean;
  readonly url?: string;
  readonly now?: () => Date;
  /**
   * On SIGINT or SIGTERM: remove the scratch place, stop the service, and exit the process with
   * 130 or 143, as the CLI does. Off by default: a library never exits its host's process.
   */
  readonly exitOnSignal?: boolean;
};

export type DrillResult = VerbResult<{
  /** Only with --shard. */
  shard?: ShardSummary;
  report: ReportPaths | null;
  rto: Objective | null;
  rpo: Objective | null;
  stages: readonly StageRecord[];
  scratchKept: string | null;
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
  if (!loaded.ok) return fail(loaded.findings);
  const { cwd, config } = loaded.context;
  const inputFindings: ClassifiedFinding[] = [];
  if (options.live && (options.root === undefined || options.url === undefined))
    inputFindings.push(usage("--live", "--live needs --root <store> and --url <base URL>"));
  if (!options.live && options.source === undefined)
    inputFindings.push(
      usage(
        "--source",
        "no source: pass --source dir:<path>, tar:<path>, snapshot:<repo>#latest or restic:<repository>#latest (or --live with --root and --url)",
      ),
    );
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
  const ref = options.source === undefined ? null : parseSourceRef(options.source, cwd);
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
  const evidence = await loadEvidence(loaded.context.evidence);
  if (!evidence.ok) inputFindings.push(...evidence.findings);
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
  const plan = {
    evidence: evidence.evidence,
    files: evidence.files,
    config,
    mode,
    allowDowngrade: options.allowDowngrade ?? false,
    shard,
    now,
    progress: options.progress ?? NO_PROGRESS,
    exitOnSignal: options.exitOnSignal ?? false,
  };
  const outcome = await runDrill(plan);

  // 3. Write and sign the outputs, whatever the verdict.
  const outDir =
    options.out === undefined
      ? join(config.reportsDir, `${evidence.evidence.packet.release.id}-${compactUTC(now())}`)
      : resolve(cwd, options.out);
  const paths =
    shard === null
      ? await writeDrillOutputs(outcome.report, outDir, signer)
      : await writeShardDrillOutputs(outcome, evidence.evidence.manifest, shard, outDir, signer);
  // 4. Only now, with the signed report safe, a proven drill raises the high-water mark.
  const findings = [...outcome.findings];
  try {
    await raiseMarkAfter(plan, outcome.report);
  } catch (error) {
    findings.push(findingOfError(error));
  }
  return createResult(
    "drill",
    findings,
    {
      releaseId: evidence.evidence.packet.release.id,
      releaseIdentity: releaseIdentityOf(evidence.evidence.packet),
    },
    {
      report: paths,
      rto: outcome.report.rto,
      rpo: outcome.report.rpo,
      stages: outcome.report.stages,
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
    },
  );
}

/**
 * A shard drill's files: the drill report renderings as usual, but signed only as a shard
 * report, so that no one shard's envelope can pass for a whole drill in gate or audit.
 */
async function writeShardDrillOutputs(
  outcome: DrillOutcome,
  manifest: Manifest,
  shard: ShardSelection,
  outDir: string,
  signer: Signer,
): Promise<ReportPaths> {
  // The renderings go in a folder of their own, so n shards can share one --out.
  const paths = await writeDrillOutputs(
    outcome.report,
    join(outDir, shardFileName(shard.spec, "")),
    null,
  );
  const report: DrillShardReport = {
    ...outcome.report,
    kind: "drill",
    manifest: summarizeManifest(manifest, digestOfJSON(manifest)),
    shard: coverageOf(shard),
    checked: outcome.storeCounts,
    serviceStages: shard.spec.index === 1 ? "run in this shard" : "skipped: shard 1 runs them",
  };
  const signed = await writeSignedReport({
    outDir,
    baseName: shardFileName(shard.spec, ""),
    predicateType: SHARD_REPORT_PREDICATE_TYPE,
    releaseId: report.releaseId,
    releaseIdentity: report.releaseIdentity,
    report,
    signer,
  });
  return { ...paths, json: signed.json, envelope: signed.envelope };
}
