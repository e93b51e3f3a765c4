// The restore plan (pure): where the scratch tree, the safety copy and the lock go, and the
// steps in order. Scratch and safety copy are hidden siblings of the target, on the same file
// system, so the swap is a rename (DESIGN.md "restore scratch").
import { basename, dirname, join } from "node:path";
import { compactUTC } from "../util/compact-time.js";

export type TargetState = "absent" | "empty" | "non-empty";

export type RestorePlan = {
  readonly source: string;
  readonly target: string;
  readonly targetState: TargetState;
  readonly scratch: string;
  readonly safetyCopy: string | null;
  readonly lock: string;
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
};

export function lockPathOf(target: string): string {
  return join(dirname(target), `.${basename(target)}.recoverable.lock`);
}

export function createRestorePlan(input: PlanInput): RestorePlan {
  const parent = dirname(input.target);
  const name = basename(input.target);
  const scratch = join(
    input.scratchDir ?? parent,
    `.${name}.recoverable-restore-${compactUTC(input.now)}-${input.nonce}`,
  );
  const safetyCopy =
    input.targetState === "absent"
      ? null
      : join(parent, `.${name}.recoverable-safety-${compactUTC(input.now)}-${input.nonce}`);
  const steps = [
    `lock ${lockPathOf(input.target)}`,
    `extract ${input.source} into ${scratch}`,
    "fsync every restored file and directory",
    `verify ${scratch} against the manifest`,
    ...(safetyCopy ? [`move the current ${input.target} to ${safetyCopy} (the safety copy)`] : []),
    `rename ${scratch} to ${input.target}`,
    `fsync ${parent}`,
    "unlock",
  ];
  return {
    source: input.source,
    target: input.target,
    targetState: input.targetState,
    scratch,
    safetyCopy,
    lock: lockPathOf(input.target),
    steps,
  };
}
