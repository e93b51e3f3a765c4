// restore: bring a store root back from a source into a target, verified before it is swapped
// in, with a safety copy of what was there. `--recover` only finishes what an interrupted
// restore of the target left.
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { loadEvidence } from "../documents/load-evidence.js";
import type { Manifest } from "../documents/types.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { releaseIdentityOf, verifyChain } from "../documents/identity-chain.js";
import { executeRestore, restoreInterrupted, targetStateOf } from "../restore/execute.js";
import { checkTarget, localBackupOf } from "../restore/guards.js";
import { peekTargetLock } from "../restore/lock.js";
import { recoverTarget } from "../restore/recover-target.js";
import { bytesNeeded, isNoSpace, noSpaceLeft } from "../restore/no-space.js";
import {
  createRestorePlan,
  runIdOf,
  type PlanInput,
  type RestorePlan,
  type TargetState,
} from "../restore/plan.js";
import {
  findLeftovers,
  lockAndRecover,
  planRecovery,
  recoveredFindings,
} from "../restore/recover.js";
import { checkReleasePolicy } from "../policy/enforce.js";
import { openSource } from "../sources/open-source.js";
import { parseSourceRef, type RestoreSource } from "../archive/source.js";
import type { StoreCheckCounts } from "../store/verify-store.js";
import { secretLocation } from "../util/secret-location.js";
import { renameExchange } from "../util/rename-exchange.js";
import { checkpoint } from "../util/checkpoint.js";
import { interruptionOf } from "../util/run-scope.js";
import { loadContext, type CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type Release, type VerbResult } from "./result.js";
import type { RuleOutcome } from "../documents/drill-report.js";

export type RestoreOptions = Omit<CommonOptions, "root"> & {
  /** The backup; required unless `recover`. */
  readonly source?: string;
  readonly target: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly scratch?: string;
  /** An age identity file, for `.age` archives. */
  readonly identity?: string;
  /** Restore a release below the store's high-water mark, when the policy allows downgrades. */
  readonly allowDowngrade?: boolean;
  /**
   * Restore nothing: finish what an interrupted restore of the target left (put the old store
   * back if it was killed in its swap, remove its scratch tree and lock).
   */
  readonly recover?: boolean;
  readonly now?: () => Date;
  /**
   * Interrupts the restore when it aborts before the swap: it gives up extracting or verifying,
   * removes its scratch tree, releases the lock, leaves the target as it was, and its result
   * has the `interrupted` finding. Once the swap is journaled it runs to its end. The CLI
   * passes one that SIGINT and SIGTERM abort; the library never handles a signal itself, and
   * a restore killed outright is finished or rolled back by the next restore of the target.
   */
  readonly signal?: AbortSignal;
  /**
   * @deprecated Ignored: a library restore never handles a signal itself. Pass `signal` (an
   * AbortSignal your own SIGINT/SIGTERM handler aborts) instead. Kept so callers still compile.
   */
  readonly exitOnSignal?: boolean;
};

type RestoreFields = {
  plan: RestorePlan | null;
  safetyCopy: string | null;
  restored: { files: number; bytes: number } | null;
  checked: StoreCheckCounts | null;
  /** What an interrupted restore of the target had left, and what was done about it. */
  recovered: readonly string[];
  /** Exactly which backup was restored (the snapshot `#latest` stood for), when it matters. */
  resolved: string | null;
  /** Each rule of the rollback policy, passed or not (empty when the evidence did not load). */
  policy: readonly RuleOutcome[];
};

export type RestoreResult = VerbResult<RestoreFields>;

const EMPTY_RESTORE: RestoreFields = {
  plan: null,
  safetyCopy: null,
  restored: null,
  checked: null,
  recovered: [],
  policy: [],
  resolved: null,
};

type Fields = Partial<RestoreFields>;

const usage = (subject: string, message: string) =>
  createFinding("usage_invalid", { subject, message });

export async function restore(options: RestoreOptions): Promise<RestoreResult> {
  const fail = (findings: ClassifiedFinding[], fields: Fields = {}, release = NO_RELEASE) =>
    createResult("restore", findings, release, { ...EMPTY_RESTORE, ...fields });
  // 1. Options, the target's safety and the documents, before any work.
  const loaded = await loadContext(options);
  if (!loaded.ok) return fail([...loaded.findings]);
  const { cwd } = loaded.value;
  const evidenceFiles = Object.values(loaded.value.evidence);
  const scratchDir = options.scratch === undefined ? null : resolve(cwd, options.scratch);
  if (options.recover) {
    if (options.source !== undefined || options.dryRun || options.force)
      return fail([
        usage(
          "--recover",
          "--recover restores nothing: give it --target (and the --scratch of the interrupted run, if any), without --source, --force or --dry-run",
        ),
      ]);
    const done = await recoverTarget(options.target, cwd, evidenceFiles, scratchDir);
    return fail(done.findings, { recovered: done.recovered });
  }
  if (options.source === undefined)
    return fail([
      usage("--source", "--source is required (or --recover, to finish an interrupted restore)"),
    ]);
  const ref = parseSourceRef(options.source, cwd);
  if ("code" in ref) return fail([ref]);
  const source = openSource(
    ref,
    options.identity === undefined ? {} : { identity: secretLocation(cwd, options.identity) },
  );
  if ("code" in source) return fail([source]);
  const refused = await checkTarget(
    options.target,
    cwd,
    localBackupOf(ref, cwd),
    evidenceFiles,
    scratchDir,
  );
  if (refused) return fail([refused]);
  const target = resolve(cwd, options.target);
  const evidence = await loadEvidence(loaded.value.evidence);
  if (!evidence.ok) return fail(evidence.findings);
  const chain = verifyChain(evidence.evidence, evidence.files);
  const release = {
    releaseId: evidence.evidence.packet.release.id,
    releaseIdentity: releaseIdentityOf(evidence.evidence.packet),
  };
  if (chain.length > 0) return fail(chain, {}, release);
  // The rollback policy and the high-water mark: a release it forbids is never restored.
  const now = (options.now ?? (() => new Date()))();
  const policy = await checkReleasePolicy(
    evidence.evidence,
    evidence.files,
    loaded.value.config.stateDir,
    { now, allowDowngrade: options.allowDowngrade ?? false },
  );
  if (policy.findings.length > 0)
    return fail(policy.findings, { policy: policy.outcomes }, release);
  // The backup must open (a dry run says so too): a missing one is source_unreadable.
  const unopened = await source.opens();
  if (unopened) return fail([unopened], { policy: policy.outcomes }, release);

  const planned = {
    source: ref.text,
    target,
    ...(scratchDir === null ? {} : { scratchDir }),
    now,
    nonce: randomBytes(3).toString("hex"),
    exchange: renameExchange() !== null,
  };
  const context = { options, release, policy: policy.outcomes, planned };
  // 2. The plan; --dry-run stops here.
  if (options.dryRun) return dryRun(context, scratchDir);
  // 3. Lock, finish what an interrupted restore left, then extract, verify, swap.
  return lockedRestore(context, source, evidence.evidence.manifest, scratchDir);
}

type RunContext = {
  readonly options: RestoreOptions;
  readonly release: Release;
  readonly policy: readonly RuleOutcome[];
  readonly planned: Omit<PlanInput, "targetState">;
};

/** The target's state for the plan, and what stops the restore (a dry run still shows the plan). */
function judgeState(
  state: Awaited<ReturnType<typeof targetStateOf>>,
  target: string,
  force: boolean,
): { state: TargetState | null; stop: ClassifiedFinding | null } {
  if (state === "not-a-directory")
    return {
      state: null,
      stop: usage("--target", `--target ${target} exists and is not a directory`),
    };
  if (state !== "non-empty" || force) return { state, stop: null };
  return {
    state,
    stop: createFinding("target_not_empty", {
      subject: target,
      expected: "an empty or absent directory, or --force",
      actual: "a non-empty directory",
      message: `${target} is not empty; pass --force to replace it (a safety copy is kept)`,
    }),
  };
}

/** The plan, with what would first be done about an interrupted restore; changes nothing. */
async function dryRun(context: RunContext, scratchDir: string | null): Promise<RestoreResult> {
  const { options, release, policy, planned } = context;
  const result = (findings: ClassifiedFinding[], fields: Fields = {}) =>
    createResult("restore", findings, release, { ...EMPTY_RESTORE, policy, ...fields });
  const peek = await peekTargetLock(planned.target);
  if ("code" in peek) return result([peek]);
  const found = await findLeftovers(planned.target, peek.previous, scratchDir);
  const recovery = planRecovery(peek.previous, found);
  const movesBack = recovery.some((step) => step.kind === "move");
  const judged = judgeState(
    movesBack ? "non-empty" : await targetStateOf(planned.target),
    planned.target,
    options.force ?? false,
  );
  if (judged.state === null) return result(judged.stop ? [judged.stop] : []);
  const plan = createRestorePlan({ ...planned, targetState: judged.state });
  const first = recovery.map((step) => `first, for an interrupted restore: ${step.todo}`);
  // The plan is shown even when the target is not empty, beside target_not_empty (issue 19).
  return result(judged.stop ? [judged.stop] : [], {
    plan: { ...plan, steps: [...first, ...plan.steps] },
  });
}

/** Takes the lock and recovers; a full disk while doing so is said as such. */
async function lockOrFull(
  planned: RunContext["planned"],
  scratchDir: string | null,
  manifest: Manifest,
): Promise<Awaited<ReturnType<typeof lockAndRecover>>> {
  try {
    await mkdir(dirname(planned.target), { recursive: true });
    return await lockAndRecover(planned.target, runIdOf(planned.now, planned.nonce), scratchDir);
  } catch (error) {
    if (!isNoSpace(error)) throw error;
    return noSpaceLeft(error, dirname(planned.target), bytesNeeded(manifest));
  }
}

async function lockedRestore(
  context: RunContext,
  source: RestoreSource,
  manifest: Manifest,
  scratchDir: string | null,
): Promise<RestoreResult> {
  const { options, release, policy, planned } = context;
  const result = (findings: ClassifiedFinding[], fields: Fields = {}) =>
    createResult("restore", findings, release, { ...EMPTY_RESTORE, policy, ...fields });
  await checkpoint("before-lock", options.signal);
  const interruption = options.signal ? interruptionOf(options.signal) : null;
  if (interruption !== null)
    return result([
      restoreInterrupted(interruption, "before it took the lock: nothing was changed"),
    ]);
  const taken = await lockOrFull(planned, scratchDir, manifest);
  if ("code" in taken) return result([taken]);
  const { lock, recovered } = taken;
  const notes = recoveredFindings(planned.target, recovered);
  let handedOver = false;
  try {
    const { state, stop } = judgeState(
      await targetStateOf(planned.target),
      planned.target,
      options.force ?? false,
    );
    if (state === null || stop !== null)
      return result([...notes, ...(stop ? [stop] : [])], { recovered });
    const plan = createRestorePlan({ ...planned, targetState: state });
    handedOver = true; // executeRestore releases the lock
    const outcome = await executeRestore(plan, source, manifest, {
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      held: lock,
    });
    return result([...notes, ...outcome.findings], {
      plan,
      safetyCopy: outcome.swapped ? plan.safetyCopy : null,
      // Only the counts: the extraction's own findings are in `findings`, its per-file digests
      // are internal (a Map, which JSON would print as {}).
      restored: { files: outcome.restored.files, bytes: outcome.restored.bytes },
      checked: outcome.checked,
      recovered,
      resolved: await source.resolved(),
    });
  } finally {
    if (!handedOver) await lock.release();
  }
}
