// drill, plan (pure): the flags and what ./drill-load.ts read, judged together, become the
// plan of one drill, or every finding that says why there is none. No I/O and no clock here:
// unit-tested flag by flag (test/unit/drill-planner.test.ts).
import { resolve } from "node:path";
import type { RestoreSource } from "../archive/source.js";
import { checkDatasetReferences } from "../documents/dataset-references.js";
import type { DrillConfig } from "../documents/drill-config.js";
import { releaseIdentityOf } from "../documents/identity-chain.js";
import type { Packet } from "../documents/types.js";
import { shardColumns, type DrillMode, type DrillPlan } from "../drill/drill-plan.js";
import { resolveScenario } from "../drill/scenario.js";
import { failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { Signer } from "../report/signing.js";
import { selectShard } from "../shard/assign.js";
import { checkShardSpec } from "../shard/shard-spec.js";
import { displayPath } from "../util/display-path.js";
import { fileNameOf } from "./configured-backup.js";
import type { DrillInputs } from "./drill-load.js";
import type { DrillOptions } from "./drill-options.js";
import type { Release } from "./result.js";
import { planSample } from "./sample-plan.js";

export type DrillJob = {
  readonly plan: DrillPlan;
  readonly signer: Signer;
  readonly release: Release;
  /** Where the outputs go: --out, else a folder of the reports folder named at the drill's start. */
  readonly out:
    | { readonly kind: "given"; readonly dir: string }
    | {
        readonly kind: "reports";
        readonly dir: string;
        readonly prefix: string;
        readonly suffix: string;
      };
};

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

const NO_KEY = usage(
  "--key",
  "no signing key: pass --key <drill.key> or set signing.key in the drill config (make one with `recoverable keygen`)",
);

/** Every finding about the input, in the order a user reads the flags and what they name. */
function inputFindings(
  options: DrillOptions,
  inputs: DrillInputs,
  today: Date,
): ClassifiedFinding[] {
  const of = (checked: Checked<unknown> | null) => (checked === null ? [] : findingsOf(checked));
  const { evidence } = inputs;
  return [
    ...liveFindings(options),
    ...of(inputs.backup),
    ...(inputs.signer === null ? [NO_KEY] : findingsOf(inputs.signer)),
    ...of(inputs.ref),
    ...of(inputs.identity),
    ...modeFindings(options),
    ...of(inputs.source),
    ...(options.shard === undefined ? [] : findingsOf(checkShardSpec(options.shard))),
    ...findingsOf(planSample(options, today)),
    ...(evidence.ok ? referenceFindings(evidence, inputs.context.config) : evidence.findings),
    ...(evidence.ok ? findingsOf(scenarioOf(options, evidence)) : []),
  ];
}

function liveFindings(options: DrillOptions): ClassifiedFinding[] {
  return options.live === true && (options.root === undefined || options.url === undefined)
    ? [usage("--live", "--live needs --root <store> and --url <base URL>")]
    : [];
}

/** --root and --url belong to --live, --source to a restore drill. */
function modeFindings(options: DrillOptions): ClassifiedFinding[] {
  const findings: ClassifiedFinding[] = [];
  if (options.live !== true && (options.root !== undefined || options.url !== undefined))
    findings.push(
      usage(
        options.url === undefined ? "--root" : "--url",
        "--root and --url are for --live (a store and service already up); a restore drill takes --source",
      ),
    );
  if (options.live === true && options.source !== undefined)
    findings.push(
      usage("--source", "--live proves what is already up and restores nothing: drop --source"),
    );
  return findings;
}

function scenarioOf(
  options: DrillOptions,
  evidence: Extract<DrillInputs["evidence"], { ok: true }>,
): Checked<DrillPlan["scenario"]> {
  const { rollbackPolicy } = evidence.evidence;
  return resolveScenario(options.scenario, rollbackPolicy, evidence.files.rollbackPolicy);
}

/**
 * A {postgres.url:<dataset>} of the service naming no pg_dump dataset of the release: bad input,
 * said before the drill runs. (The sealed probes were checked by seal; one naming no dataset in
 * evidence sealed before it checked fails as a probe, as it always did.)
 */
function referenceFindings(
  { evidence, pgdumps }: { evidence: { packet: Packet }; pgdumps: ReadonlySet<string> },
  config: DrillConfig,
): ClassifiedFinding[] {
  return checkDatasetReferences({
    configName: config.file === null ? "drill config" : displayPath(config.file),
    probes: [],
    service: config.service,
    datasets: evidence.packet.datasets,
    kindOf: (path) => (pgdumps.has(path) ? "pgdump" : undefined),
  });
}

/** The drill's mode: a live store and URL, or a restore of the source into a scratch place. */
function modeOf(
  options: DrillOptions,
  cwd: string,
  source: RestoreSource | null,
): DrillMode | null {
  if (options.live === true && options.root !== undefined && options.url !== undefined)
    return { kind: "live", root: resolve(cwd, options.root), url: options.url };
  if (source === null) return null;
  const scratchParent = options.scratch === undefined ? null : resolve(cwd, options.scratch);
  return { kind: "restore", source, scratchParent, keep: options.keep ?? false };
}

/** `today` picks the default --seed (the day number), as verify's. */
export function planDrill(
  options: DrillOptions,
  inputs: DrillInputs,
  today: Date,
): Checked<DrillJob> {
  const findings = inputFindings(options, inputs, today);
  const { evidence, signer, context } = inputs;
  const source = inputs.source?.ok === true ? inputs.source.value : null;
  const mode = modeOf(options, context.cwd, source);
  if (findings.length > 0 || !evidence.ok || signer?.ok !== true || mode === null)
    return failedWith(findings);
  const spec = options.shard === undefined ? null : checkShardSpec(options.shard);
  const scenario = scenarioOf(options, evidence);
  const sample = planSample(options, today);
  const { packet } = evidence.evidence;
  const { artifacts } = evidence;
  const plan: DrillPlan = {
    evidence: evidence.evidence,
    artifacts,
    pgdumps: evidence.pgdumps,
    manifestDigest: evidence.manifestDigest,
    files: evidence.files,
    paths: context.evidence,
    config: context.config,
    mode,
    allowDowngrade: options.allowDowngrade ?? false,
    shard: spec?.ok === true ? selectShard(shardColumns(evidence), spec.value) : null,
    scenario: scenario.ok ? scenario.value : null,
    sample: sample.ok ? sample.value : null,
  };
  const release = { releaseId: packet.release.id, releaseIdentity: releaseIdentityOf(packet) };
  return ok({
    plan,
    signer: signer.value,
    release,
    out: outOf(options, context, release.releaseId),
  });
}

function outOf(
  options: DrillOptions,
  context: DrillInputs["context"],
  releaseId: string,
): DrillJob["out"] {
  if (options.out !== undefined) return { kind: "given", dir: resolve(context.cwd, options.out) };
  const suffix = options.backup === undefined ? "" : `-${fileNameOf(options.backup)}`;
  return { kind: "reports", dir: context.config.reportsDir, prefix: releaseId, suffix };
}
