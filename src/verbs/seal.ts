// seal: build the manifest, the packet and the provenance of a store root and write them at
// their places, atomically, so a release pipeline can publish its evidence.
import { loadDocument } from "../documents/load-evidence.js";
import type { RollbackPolicy } from "../documents/types.js";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { sealRelease } from "../seal/seal-release.js";
import { loadSealRules, type SealRules } from "../seal/seal-rules.js";
import { StagedManifest } from "../seal/staged-manifest.js";
import { stagingFailed, writeEvidence } from "../seal/write-evidence.js";
import { entryTypeAt } from "../store/walk-store.js";
import { displayPath } from "../util/display-path.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { planSeal, toTimestamp, type SealPlan } from "./seal-plan.js";

export type SealOptions = CommonOptions & {
  readonly releaseId: string;
  readonly releaseVersion: string;
  /** The clock, for tests; SOURCE_DATE_EPOCH wins over it. */
  readonly now?: () => Date;
  readonly env?: Readonly<Record<string, string | undefined>>;
};

export type SealResult = VerbResult<{ written: string[] }>;

type SealInputs = { readonly policy: RollbackPolicy; readonly rules: SealRules };

/** What seal reads besides the config: the store root must be a directory, the rollback policy must exist (it is part of the identity), and the identity rules' schemas must load. */
async function loadSealInputs(plan: SealPlan): Promise<Checked<SealInputs>> {
  if ((await entryTypeAt(plan.root)) !== "dir") {
    const root = displayPath(plan.root);
    return failedWith([
      createFinding("usage_invalid", {
        subject: "--root",
        expected: "a directory",
        actual: root,
        message: `the store root ${root} is not a directory`,
      }),
    ]);
  }
  const policy = await loadDocument("rollbackPolicy", plan.paths.rollbackPolicy, "rollback policy");
  if (policy.value === null) return failedWith(policy.findings);
  const rules = await loadSealRules(plan.config);
  return rules.ok ? ok({ policy: policy.value, rules: rules.rules }) : failedWith(rules.findings);
}

const failed = (findings: readonly ClassifiedFinding[]): SealResult =>
  createResult("seal", findings, NO_RELEASE, { written: [] });

export async function seal(options: SealOptions): Promise<SealResult> {
  const now = options.now ?? (() => new Date());
  const epoch = (options.env ?? process.env)["SOURCE_DATE_EPOCH"];
  const plan = planSeal(
    { ...options, ...(epoch === undefined ? {} : { sourceDateEpoch: epoch }) },
    await loadContext(options),
    now(),
  );
  if (!plan.ok) return failed(plan.findings);
  const inputs = await loadSealInputs(plan.value);
  if (!inputs.ok) return failed(inputs.findings);
  // The manifest is written as the store is walked, to a temp file that only the last step
  // puts in place: a refusal, or an exit before that, leaves nothing behind.
  const manifest = await StagedManifest.open(plan.value.paths.manifest);
  try {
    const unwritable = stagingFailed(plan.value.paths, manifest);
    if (unwritable !== null) return failed(unwritable);
    return await sealInto(manifest, plan.value, inputs.value, now);
  } finally {
    await manifest.discard();
  }
}

async function sealInto(
  manifest: StagedManifest,
  plan: SealPlan,
  inputs: SealInputs,
  now: () => Date,
): Promise<SealResult> {
  const { time, paths, releaseId } = plan;
  const sealed = await sealRelease({
    ...plan,
    ...inputs,
    startedOn: toTimestamp(time.date),
    epoch: time.epoch,
    finishedOn: () => toTimestamp(now()),
    manifest,
  });
  if (!sealed.ok) return failed(sealed.findings);
  const written = await writeEvidence(paths, { ...sealed.value, manifest });
  if (!written.ok) return failed(written.findings);
  const { releaseIdentity, findings } = sealed.value;
  return createResult("seal", findings, { releaseId, releaseIdentity }, { written: written.value });
}
