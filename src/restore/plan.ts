// The restore plan (pure): where the scratch tree, the safety copy and the lock go, and the
// steps in order. Scratch and safety copy are hidden siblings of the target, on the same file
// system, so the swap is a rename (DESIGN.md "restore scratch"). Their names are derived from the
// target's name and the run's id, so a later run can recognise what a killed one left without
// trusting any path written down.
import { basename, dirname, join } from "node:path";
import { compactUTC } from "../util/compact-time.js";

export type TargetState = "absent" | "empty" | "non-empty";

export type RestorePlan = {
  readonly source: string;
  readonly target: string;
  readonly targetState: TargetState;
  /** `<UTC time>-<6 hex digits>`: names this run's scratch tree and safety copy. */
  readonly runId: string;
  readonly scratch: string;
  readonly safetyCopy: string | null;
  readonly lock: string;
  /** Paths of the target the release does not list, carried into the restored root. */
  readonly carriedOver: readonly string[];
  /** The same, with --set-aside-unlisted: they go into the safety copy with the old store. */
  readonly setAside: readonly string[];
  /** --only: the artifacts restored; empty when the whole store is. */
  readonly only: readonly string[];
  readonly steps: readonly string[];
};

export type PlanInput = {
  readonly source: string;
  readonly target: string;
  readonly targetState: TargetState;
  /** --scratch: where the scratch tree goes instead of beside the target. */
  readonly scratchDir?: string;
  readonly now: Date;
  readonly nonce: string;
  /** Whether the swap can exchange the two trees in one step (src/util/rename-exchange.ts). */
  readonly exchange?: boolean;
  /** The target's paths the release does not list (unlisted.ts); none when absent. */
  readonly unlisted?: readonly string[];
  /** --set-aside-unlisted: those go into the safety copy instead of being carried over. */
  readonly setAsideUnlisted?: boolean;
  /**
   * --only: the paths of the artifacts restored. `unlisted` is then everything of the target
   * they do not name, carried over, so the rest of the target stays as it is.
   */
  readonly only?: readonly string[];
};

/** What a run id looks like; anything else read from a lock is not one. */
export const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function runIdOf(now: Date, nonce: string): string {
  return `${compactUTC(now)}-${nonce}`;
}

export function lockPathOf(target: string): string {
  return join(dirname(target), `.${basename(target)}.recoverable.lock`);
}

/** The name of a run's scratch tree, in the target's parent or in --scratch. */
export function scratchNameOf(target: string, runId: string): string {
  return `.${basename(target)}.recoverable-restore-${runId}`;
}

/** A run's safety copy: always in the target's parent. */
export function safetyCopyOf(target: string, runId: string): string {
  return join(dirname(target), `.${basename(target)}.recoverable-safety-${runId}`);
}

function swapStep(
  target: string,
  scratch: string,
  safetyCopy: string | null,
  exchange: boolean,
): string {
  if (safetyCopy === null) return `swap: rename ${scratch} to ${target}`;
  if (exchange)
    return `swap: exchange ${scratch} and ${target} in one step (renameat2 RENAME_EXCHANGE), then rename ${scratch}, now the old store, to ${safetyCopy} (the safety copy)`;
  return `swap: move the current ${target} to ${safetyCopy} (the safety copy), then rename ${scratch} to ${target}`;
}

/** The steps about the unlisted paths: carried over before the swap, or set aside with it. */
function unlistedSteps(
  carried: readonly string[],
  setAside: readonly string[],
  paths: { target: string; beside: string; only: boolean },
): { carry: string[]; aside: string[] } {
  const list = (items: readonly string[]) => items.join(", ");
  const what = paths.only
    ? "the rest of the target (what --only does not restore)"
    : "what the release does not list";
  return {
    carry:
      carried.length === 0
        ? []
        : [
            `carry over ${what} from ${paths.target} into ${paths.beside} (renamed, journaled): ${list(carried)}`,
          ],
    aside:
      setAside.length === 0
        ? []
        : [
            `set aside what the release does not list, with the old store in the safety copy (--set-aside-unlisted): ${list(setAside)}`,
          ],
  };
}

export function createRestorePlan(input: PlanInput): RestorePlan {
  const parent = dirname(input.target);
  const runId = runIdOf(input.now, input.nonce);
  const scratch = join(input.scratchDir ?? parent, scratchNameOf(input.target, runId));
  const safetyCopy = input.targetState === "absent" ? null : safetyCopyOf(input.target, runId);
  const lock = lockPathOf(input.target);
  const beside = join(parent, scratchNameOf(input.target, runId));
  const unlisted = input.targetState === "non-empty" ? (input.unlisted ?? []) : [];
  const carriedOver = input.setAsideUnlisted ? [] : unlisted;
  const setAside = input.setAsideUnlisted ? unlisted : [];
  const only = input.only ?? [];
  const { carry, aside } = unlistedSteps(carriedOver, setAside, {
    target: input.target,
    beside,
    only: only.length > 0,
  });
  const steps = [
    `lock ${lock}`,
    `extract ${input.source} into ${scratch}`,
    ...(only.length === 0
      ? []
      : [`keep only what --only selects (${only.length}): ${only.join(", ")}`]),
    "fsync every restored file and directory",
    `verify ${scratch} against the manifest`,
    ...(beside === scratch ? [] : [`move ${scratch} beside the target, to ${beside}`]),
    `journal the swap in ${lock}`,
    ...carry,
    swapStep(input.target, beside, safetyCopy, input.exchange ?? false),
    ...aside,
    `fsync ${parent}`,
    "unlock",
  ];
  return {
    source: input.source,
    target: input.target,
    targetState: input.targetState,
    runId,
    scratch,
    safetyCopy,
    lock,
    carriedOver,
    setAside,
    only,
    steps,
  };
}

export type UndoInput = {
  readonly target: string;
  /** The safety copy put back: the newest beside the target. */
  readonly from: string;
  readonly targetState: TargetState;
  readonly now: Date;
  readonly nonce: string;
  readonly exchange?: boolean;
  /** What the target holds that the safety copy does not: carried over, as by a restore. */
  readonly missing?: readonly string[];
};

/**
 * restore --undo: the safety copy is the tree swapped in, exactly as a verified scratch tree
 * is, and what the target holds becomes this run's safety copy, so an undo can be undone.
 */
export function createUndoPlan(input: UndoInput): RestorePlan {
  const parent = dirname(input.target);
  const runId = runIdOf(input.now, input.nonce);
  const safetyCopy = input.targetState === "absent" ? null : safetyCopyOf(input.target, runId);
  const lock = lockPathOf(input.target);
  const becomes =
    safetyCopy === null ? "" : `; what ${input.target} holds now becomes the safety copy`;
  const carriedOver = safetyCopy === null ? [] : (input.missing ?? []);
  const carry =
    carriedOver.length === 0
      ? []
      : [
          `carry over what ${input.target} holds and the safety copy does not from ${input.target} into ${input.from} (renamed, journaled): ${carriedOver.join(", ")}`,
        ];
  return {
    source: input.from,
    target: input.target,
    targetState: input.targetState,
    runId,
    scratch: input.from,
    safetyCopy,
    lock,
    carriedOver,
    setAside: [],
    only: [],
    steps: [
      `lock ${lock}`,
      `undo: put the newest safety copy ${input.from} back into ${input.target}${becomes}`,
      `journal the swap in ${lock}`,
      ...carry,
      swapStep(input.target, input.from, safetyCopy, input.exchange ?? false),
      `fsync ${parent}`,
      "unlock",
    ],
  };
}
