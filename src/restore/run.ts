// The two ways a planned restore runs: a dry run (the plan, with what would first be done about
// an interrupted restore; nothing changed) and the restore itself (lock, finish what a dead run
// left, judge the target, extract, verify, carry over, swap). Each ends with the findings and
// the result's fields; the verb builds the result.
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ArtifactTable } from "../documents/artifact-table.js";
import { tableOf, type ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import type { Artifact } from "../documents/types.js";
import { verifyStore } from "../store/verify-store.js";
import type { ClassifiedFinding } from "../findings/finding.js";
import { failed } from "../findings/checked.js";
import type { RestoreSource } from "../archive/source.js";
import { checkpoint } from "../util/checkpoint.js";
import type { ProgressReporter } from "../util/progress.js";
import { interruptionOf } from "../util/run-scope.js";
import {
  executeRestore,
  restoreInterrupted,
  targetStateOf,
  type VerifyRestored,
} from "./execute.js";
import type { RestoreFields } from "./fields.js";
import { peekTargetLock } from "./lock.js";
import { bytesNeeded, isNoSpace, noSpaceLeft } from "./no-space.js";
import { createRestorePlan, runIdOf, type PlanInput, type TargetState } from "./plan.js";
import { findLeftovers, lockAndRecover, planRecovery, recoveredFindings } from "./recover.js";
import { judgeTarget } from "./request.js";
import { listedIndexOf, unlistedIn } from "./unlisted.js";
import { removeTree } from "../util/remove-tree.js";

/** The plan's input but what is read under the lock. */
export type Planned = Omit<PlanInput, "targetState" | "unlisted">;

export type RunOptions = {
  readonly force: boolean;
  readonly scratchDir: string | null;
  /**
   * The release's artifacts: in compact columns, or the manifest read a window at a time
   * (in compact columns always with --only, which looks them up by path).
   */
  readonly artifacts: ReleaseArtifacts;
  /** --only: the artifacts restored; null when the whole store is. */
  readonly selected: readonly Artifact[] | null;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
};

export type Ran = {
  readonly findings: readonly ClassifiedFinding[];
  readonly fields: Partial<RestoreFields>;
};

/**
 * The plan for the target as it is: its state and the paths the release does not list (with
 * --only, everything the selected artifacts do not name: the rest of the target stays). Only a
 * target that is not empty is looked at, and then by path: a windowed manifest is read into
 * compact columns for it.
 */
async function planFor(planned: Planned, state: TargetState, options: RunOptions) {
  const { selected } = options;
  const unlisted =
    state === "non-empty"
      ? await unlistedIn(
          planned.target,
          listedIndexOf(selected ?? (await tableOf(options.artifacts))),
        )
      : [];
  const only = selected === null ? {} : { only: selected.map((a) => a.path) };
  return createRestorePlan({ ...planned, targetState: state, unlisted, ...only });
}

/**
 * --only: the restored tree keeps only the selected artifacts (and what is inside a selected
 * directory that owns its contents), checked exactly as a whole restore checks them.
 */
function verifySelected(artifacts: ArtifactTable, selected: readonly Artifact[]): VerifyRestored {
  return async (root, options) => {
    for (const path of await unlistedIn(root, listedIndexOf(selected)))
      await removeTree(join(root, path));
    // What the release lists is never a stray here (a directory above the selection, say).
    const listed = { ...options, listed: artifacts };
    return verifyStore(root, ArtifactTable.from(selected), listed);
  };
}

/** The plan, with what would first be done about an interrupted restore; changes nothing. */
export async function dryRunRestore(planned: Planned, options: RunOptions): Promise<Ran> {
  const peek = await peekTargetLock(planned.target);
  if (!peek.ok) return { findings: [...peek.findings], fields: {} };
  const { previous } = peek.value;
  const found = await findLeftovers(planned.target, previous, options.scratchDir);
  const recovery = planRecovery(previous, found);
  const movesBack = recovery.some((step) => step.kind === "move");
  const current = movesBack ? "non-empty" : await targetStateOf(planned.target);
  const judged = judgeTarget(current, planned.target, options.force);
  const stop = judged.stop ? [judged.stop] : [];
  if (judged.state === null) return { findings: stop, fields: {} };
  const plan = await planFor(planned, judged.state, options);
  const first = recovery.map((step) => `first, for an interrupted restore: ${step.todo}`);
  // The plan is shown even when the target is not empty, beside target_not_empty (issue 19).
  return { findings: stop, fields: { plan: { ...plan, steps: [...first, ...plan.steps] } } };
}

/** Takes the lock and recovers; a full disk while doing so is said as such. */
async function lockOrFull(
  planned: Planned,
  scratchDir: string | null,
  artifacts: ReleaseArtifacts,
) {
  try {
    await mkdir(dirname(planned.target), { recursive: true });
    return await lockAndRecover(planned.target, runIdOf(planned.now, planned.nonce), scratchDir);
  } catch (error) {
    if (!isNoSpace(error)) throw error;
    return failed(await noSpaceLeft(error, dirname(planned.target), await bytesNeeded(artifacts)));
  }
}

/** Lock, finish what an interrupted restore left, then extract, verify, carry over and swap. */
export async function runRestore(
  planned: Planned,
  source: RestoreSource,
  options: RunOptions,
): Promise<Ran> {
  await checkpoint("before-lock", options.signal);
  const interruption = options.signal ? interruptionOf(options.signal) : null;
  if (interruption !== null)
    return {
      findings: [restoreInterrupted(interruption, "before it took the lock: nothing was changed")],
      fields: {},
    };
  const taken = await lockOrFull(planned, options.scratchDir, options.artifacts);
  if (!taken.ok) return { findings: [...taken.findings], fields: {} };
  const { lock, recovered } = taken.value;
  const notes = recoveredFindings(planned.target, recovered);
  let handedOver = false;
  try {
    const found = await targetStateOf(planned.target);
    const { state, stop } = judgeTarget(found, planned.target, options.force);
    if (state === null || stop !== null)
      return { findings: [...notes, ...(stop ? [stop] : [])], fields: { recovered } };
    const plan = await planFor(planned, state, options);
    handedOver = true; // executeRestore releases the lock
    const { artifacts, selected } = options;
    const outcome = await executeRestore(plan, source, artifacts, {
      ...(selected === null
        ? {}
        : { verifyRestored: verifySelected(await tableOf(artifacts), selected) }),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      held: lock,
    });
    const fields: Partial<RestoreFields> = {
      plan,
      safetyCopy: outcome.swapped ? plan.safetyCopy : null,
      // Only the counts: the extraction's own findings are in `findings`, its per-file digests
      // are internal (a Map, which JSON would print as {}).
      restored: { files: outcome.restored.files, bytes: outcome.restored.bytes },
      checked: outcome.checked,
      recovered,
      resolved: await source.resolved(),
    };
    return { findings: [...notes, ...outcome.findings], fields };
  } finally {
    if (!handedOver) await lock.release();
  }
}
