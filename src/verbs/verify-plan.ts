// verify's plan (pure): the flags and the loaded config and signing key in; the store root and,
// with --shard, the shard, its signer and where its report goes, or every finding about them.
import { resolve } from "node:path";
import type { DrillConfig } from "../documents/drill-config.js";
import type { EvidenceFiles } from "../documents/identity-chain.js";
import { failedWith, findingsOf, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import type { Signer } from "../report/signing.js";
import type { ShardSpec } from "../shard/assign.js";
import { checkShardSpec } from "../shard/shard-spec.js";
import type { SampleSpec } from "../store/sample.js";
import { storeRootOf, type Context } from "./evidence-context.js";
import { planSample } from "./sample-plan.js";

export type VerifyFlags = {
  readonly root?: string;
  readonly strict?: boolean;
  readonly shard?: string;
  readonly key?: string;
  readonly out?: string;
  /** Check the content of only this share of the artifacts: `5%` or `0.05`. */
  readonly sample?: string;
  /** With --sample: which window of artifacts; default the day number, so daily runs rotate. */
  readonly seed?: string | number;
};

export type ShardPlan = {
  readonly spec: ShardSpec;
  readonly signer: Signer;
  /** --out, resolved; null: a folder of the reports directory named by release and time. */
  readonly out: string | null;
};

export type VerifyPlan = {
  readonly root: string;
  readonly strict: boolean;
  readonly config: DrillConfig;
  readonly paths: EvidenceFiles;
  /** Null for a whole verify. */
  readonly shard: ShardPlan | null;
  /** Null: every artifact's content is checked. */
  readonly sample: SampleSpec | null;
};

/** --key and --out are for a shard report: a whole verify writes nothing. */
function shardOnlyFindings(flags: VerifyFlags): ClassifiedFinding[] {
  if (flags.shard !== undefined) return [];
  return (["key", "out"] as const)
    .filter((name) => flags[name] !== undefined)
    .map((name) =>
      createFinding("usage_invalid", {
        subject: `--${name}`,
        message: `--${name} is for a shard report: add --shard i/n, or drop --${name} (a whole verify writes nothing)`,
      }),
    );
}

/** `signer` is the loaded signing key with --shard, null without; `today` picks a default seed. */
export function planVerify(
  flags: VerifyFlags,
  context: Context,
  signer: Checked<Signer> | null,
  today: Date,
): Checked<VerifyPlan> {
  const root = storeRootOf(context, flags.root);
  const spec = flags.shard === undefined ? null : checkShardSpec(flags.shard);
  const sample = planSample(flags, today);
  const findings = [
    ...findingsOf(root),
    ...(spec === null ? [] : findingsOf(spec)),
    ...(signer === null ? [] : findingsOf(signer)),
    ...shardOnlyFindings(flags),
    ...findingsOf(sample),
  ];
  if (findings.length > 0 || !root.ok || spec?.ok === false || signer?.ok === false || !sample.ok)
    return failedWith(findings);
  const shard =
    spec === null || signer === null
      ? null
      : {
          spec: spec.value,
          signer: signer.value,
          out: flags.out === undefined ? null : resolve(context.cwd, flags.out),
        };
  return ok({
    root: root.value,
    strict: flags.strict ?? false,
    config: context.config,
    paths: context.evidence,
    shard,
    sample: sample.value,
  });
}
