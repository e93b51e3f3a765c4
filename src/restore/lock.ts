// One restore per target: a lock file beside it (`.<name>.recoverable.lock`) that also journals
// the run's phase, so a restore killed at any step is finished or rolled back by the next one.
// The journal names no path: what a killed run left is found by the names derived from the
// target and the run id (plan.ts), never by a path read from a file anyone could have written.
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { failed, ok, type Checked } from "../findings/checked.js";
import {
  acquireLock,
  currentHolder,
  describeHolder,
  inspectLock,
  releaseLock,
  rewriteLock,
  type LockHolder,
  type LockRecord,
  type StaleLock,
} from "../util/lock-file.js";
import { isCarriablePath } from "./carry.js";
import { lockPathOf, RUN_ID } from "./plan.js";
import { parseTreeIdentity, type TreeIdentity } from "./tree-identity.js";

/** restoring: extracting and verifying, the target untouched; swapping: the swap may have begun. */
export type RestorePhase = "restoring" | "swapping";

const PHASES: readonly RestorePhase[] = ["restoring", "swapping"];

export type RestoreJournal = LockHolder & {
  readonly runId: string;
  readonly phase: RestorePhase;
  /** The directory of the scratch tree when --scratch put it elsewhere; for messages only. */
  readonly scratchDir: string | null;
  /** Once swapping: the verified scratch tree's device and inode, which the swap puts in place. */
  readonly scratchTree?: TreeIdentity;
  /**
   * Once swapping: the target's paths the release does not list, relative to it, which are
   * moved into the scratch tree before the swap (and back, if the swap does not take effect).
   */
  readonly carried?: readonly string[];
  /** restore --undo: the run id of the safety copy being put back (the tree swapped in). */
  readonly undoing?: string;
  /**
   * While this run finishes what a dead one left: that run's journal, so a run killed while
   * recovering leaves the recovery to the next one instead of losing it.
   */
  readonly recovering?: Readonly<Record<string, unknown>>;
};

/** What a dead run's lock said, as far as it can be read; absent fields are null. */
export type PreviousRun = {
  readonly holder: LockHolder | null;
  readonly runId: string | null;
  readonly phase: RestorePhase | null;
  readonly scratchDir: string | null;
  /** The verified tree the dead run was swapping in, when its journal says. */
  readonly scratchTree: TreeIdentity | null;
  /** The paths it carried out of the target before its swap (relative, checked). */
  readonly carried?: readonly string[];
  /** restore --undo: the run id of the safety copy it was putting back. */
  readonly undoing?: string | null;
};

/** What a swap journals besides its phase. */
export type SwapJournal = Pick<RestoreJournal, "scratchTree" | "carried" | "undoing">;

export type TargetLock = {
  readonly path: string;
  readonly runId: string;
  /**
   * Journals the next phase (the lock file is replaced at once and flushed); "swapping" with
   * the identity of the tree being swapped in and the paths carried into it.
   */
  phase(phase: RestorePhase, journal?: SwapJournal): Promise<void>;
  release(): Promise<void>;
  /**
   * When finishing a dead run's leftovers failed: the lock goes back to what the dead run left,
   * so the next run (or this process, trying again) takes it over and tries again.
   */
  handBack(): Promise<void>;
};

function targetLocked(target: string, holder: LockHolder | null): ClassifiedFinding {
  const who = describeHolder(holder);
  return createFinding("target_locked", {
    subject: target,
    actual: `locked by ${who}`,
    message: `${target}: another restore, ${who}, holds ${lockPathOf(target)}`,
  });
}

/** The run whose leftovers a stale lock stands for: the one it was recovering, if any. */
export function previousRunOf(stale: StaleLock): PreviousRun {
  const record = stale.record ?? {};
  const inner = record["recovering"];
  if (typeof inner === "object" && inner !== null && !Array.isArray(inner))
    return previousRunOf({ record: inner as Record<string, unknown>, holder: stale.holder });
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  const runId = text(record["runId"]);
  const phase = text(record["phase"]);
  const undoing = text(record["undoing"]);
  const carried = record["carried"];
  return {
    holder: stale.holder,
    runId: runId !== null && RUN_ID.test(runId) ? runId : null,
    phase: PHASES.find((p) => p === phase) ?? null,
    scratchDir: text(record["scratchDir"]),
    scratchTree: parseTreeIdentity(record["scratchTree"]),
    // Only when journaled, so a run without them reads as it always did.
    ...(Array.isArray(carried) ? { carried: carried.filter(isCarriablePath) } : {}),
    ...(undoing !== null && RUN_ID.test(undoing) ? { undoing } : {}),
  };
}

/**
 * Takes the target's lock for the run `runId`, taking over a lock whose holder died (returned
 * as `previous`, for recovery); a finding naming the holder when a running restore holds it.
 */
export async function lockTarget(
  target: string,
  runId: string,
  scratchDir: string | null,
): Promise<Checked<{ lock: TargetLock; previous: PreviousRun | null }>> {
  const path = lockPathOf(target);
  const first: RestoreJournal = {
    ...currentHolder("restore"),
    runId,
    phase: "restoring",
    scratchDir,
  };
  const attempt = await acquireLock(path, (stale) => {
    if (stale === null) return first;
    const { runId: inherited, scratchDir: theirs, ...rest } = previousRunOf(stale);
    const { phase, scratchTree, carried, undoing } = rest; // undefined ones are not written
    return {
      ...first,
      recovering: { runId: inherited, phase, scratchDir: theirs, scratchTree, carried, undoing },
    };
  });
  if (!attempt.acquired) return failed(targetLocked(target, attempt.holder));
  return ok({
    lock: {
      path,
      runId,
      phase: (phase, journal = {}) => rewriteLock(path, { ...first, phase, ...journal }),
      release: () => releaseLock(path),
      handBack: () =>
        attempt.previous?.record
          ? rewriteLock(path, attempt.previous.record as LockRecord)
          : releaseLock(path),
    },
    previous: attempt.previous === null ? null : previousRunOf(attempt.previous),
  });
}

/** For a dry run: whether the target's lock is held (a finding) or left by a dead run. */
export async function peekTargetLock(
  target: string,
): Promise<Checked<{ previous: PreviousRun | null }>> {
  const state = await inspectLock(lockPathOf(target));
  if (state.state === "held") return failed(targetLocked(target, state.holder));
  return ok({ previous: state.state === "stale" ? previousRunOf(state.stale) : null });
}
