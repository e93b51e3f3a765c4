// restore: bring a store root back from a source into a target, verified before it is swapped
// in, with a safety copy of what was there.
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf, verifyChain } from "../identity/chain.js";
import { executeRestore, targetLocked, targetStateOf } from "../restore/execute.js";
import { clearStaleLock, inspectLock } from "../restore/lock.js";
import { createRestorePlan, lockPathOf, type RestorePlan } from "../restore/plan.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import type { RuleOutcome } from "../policy/rules.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef } from "../sources/source.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { secretLocation } from "../util/secret-location.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";

export type RestoreOptions = Omit<CommonOptions, "root"> & {
  readonly source: string;
  readonly target: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly scratch?: string;
  /** An age identity file, for `.age` archives. */
  readonly identity?: string;
  /** Restore a release below the store's high-water mark, when the policy allows downgrades. */
  readonly allowDowngrade?: boolean;
  readonly now?: () => Date;
  /**
   * On SIGINT or SIGTERM before the swap: remove the scratch tree, release the lock, and exit
   * the process with 130 or 143, as the CLI does. Off by default: a library never exits its
   * host's process; a restore killed mid-way is rolled back by the next restore of the target.
   */
  readonly exitOnSignal?: boolean;
};

export type RestoreResult = VerbResult<{
  plan: RestorePlan | null;
  safetyCopy: string | null;
  restored: { files: number; bytes: number } | null;
  checked: StoreCheckCounts | null;
  recovered: readonly string[];
  /** Exactly which backup was restored (the snapshot `#latest` stood for), when it matters. */
  resolved: string | null;
  /** Each rule of the rollback policy, passed or not (empty when the evidence did not load). */
  policy: readonly RuleOutcome[];
}>;

const EMPTY = {
  plan: null,
  safetyCopy: null,
  restored: null,
  checked: null,
  recovered: [] as readonly string[],
  policy: [] as readonly RuleOutcome[],
  resolved: null as string | null,
};

export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const fail = (findings: ClassifiedFinding[], fields: Partial<typeof EMPTY> = {}) =>
    createResult("restore", findings, NO_RELEASE, { ...EMPTY, ...fields });
  // 1. Options and documents, before any work.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail(loaded.findings);
  const { cwd } = loaded.context;
  const ref = parseSourceRef(options.source, cwd);
  if ("code" in ref) return fail([ref]);
  const source = openSource(
    ref,
    options.identity === undefined ? {} : { identity: secretLocation(cwd, options.identity) },
  );
  if ("code" in source) return fail([source]);
  const target = resolve(cwd, options.target);
  // A restore killed earlier is finished first (not in a dry run, which changes nothing).
  const lock = await inspectLock(lockPathOf(target));
  if (lock.state === "held") return fail([targetLocked(target, lockPathOf(target), lock.pid)]);
  const recovered =
    lock.state === "stale" && !options.dryRun
      ? await clearStaleLock(lockPathOf(target), lock.journal)
      : [];
  const state = await targetStateOf(target);
  if (state === "not-a-directory") {
    return fail(
      [
        createFinding("usage_invalid", {
          subject: "--target",
          actual: target,
          message: `--target ${target} exists and is not a directory`,
        }),
      ],
      { recovered },
    );
  }
  if (state === "non-empty" && !options.force) {
    return fail([
      createFinding("target_not_empty", {
        subject: target,
        expected: "an empty or absent directory, or --force",
        actual: "a non-empty directory",
        message: `${target} is not empty; pass --force to replace it (a safety copy is kept)`,
      }),
    ]);
  }
  const evidence = await loadEvidence(loaded.context.evidence);
  if (!evidence.ok) return fail(evidence.findings, { recovered });
  const chain = verifyChain(evidence.evidence, evidence.files);
  const release = {
    releaseId: evidence.evidence.packet.release.id,
    releaseIdentity: releaseIdentityOf(evidence.evidence.packet),
  };
  if (chain.length > 0) return createResult("restore", chain, release, { ...EMPTY, recovered });
  // The rollback policy and the high-water mark: a release it forbids is never restored.
  const policy = await checkReleasePolicy(
    evidence.evidence,
    evidence.files,
    loaded.context.config.stateDir,
    { now: (options.now ?? (() => new Date()))(), allowDowngrade: options.allowDowngrade ?? false },
  );
  if (policy.findings.length > 0)
    return createResult("restore", policy.findings, release, {
      ...EMPTY,
      recovered,
      policy: policy.outcomes,
    });

  // 2. The plan; --dry-run stops here.
  const plan = createRestorePlan({
    source: ref.text,
    target,
    targetState: state,
    ...(options.scratch === undefined ? {} : { scratchDir: resolve(cwd, options.scratch) }),
    now: (options.now ?? (() => new Date()))(),
    nonce: randomBytes(3).toString("hex"),
  });
  if (options.dryRun) {
    const steps =
      lock.state === "stale"
        ? ["roll back the interrupted restore that left the lock", ...plan.steps]
        : plan.steps;
    return createResult("restore", [], release, {
      ...EMPTY,
      plan: { ...plan, steps },
      policy: policy.outcomes,
    });
  }

  // 3. Extract, verify, swap.
  const outcome = await executeRestore(
    plan,
    source,
    evidence.evidence.manifest,
    undefined,
    options.progress,
    options.exitOnSignal ?? false,
  );
  return createResult("restore", outcome.findings, release, {
    plan,
    safetyCopy: outcome.swapped ? plan.safetyCopy : null,
    // Only the counts: the extraction's own findings are in `findings`, its per-file digests are
    // internal (a Map, which JSON would print as {}).
    restored: { files: outcome.restored.files, bytes: outcome.restored.bytes },
    checked: outcome.checked,
    recovered,
    policy: policy.outcomes,
    resolved: await source.resolved(),
  });
}
