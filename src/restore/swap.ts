// The swap of a verified scratch tree into the target, beside it, after the lock's journal says
// "swapping" with the tree's device and inode. Where the target is there (a store, or an empty
// directory), the two are exchanged in one system call, renameat2(RENAME_EXCHANGE) through the
// optional addon (src/util/rename-exchange.ts): the target holds the new tree and the scratch
// name the old store, which is then renamed to the safety copy. There is no instant without a
// target. Without the addon, or on a kernel or file system that cannot exchange, it is two
// renames (the target to its safety copy, the scratch tree to the target), back to back as
// synchronous calls with no JavaScript between them; only a SIGKILL or a crash landing between
// those two leaves the target absent. Either way the next restore, or `restore --recover`,
// finishes what a kill left, from the journal (recover.ts). An absent target needs one rename.
import { renameSync } from "node:fs";
import { dirname } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { syncDirectory } from "../util/atomic-write.js";
import { checkpoint, pausesAt } from "../util/checkpoint.js";
import { cannotExchange, renameExchange, type RenameExchange } from "../util/rename-exchange.js";
import { carryBack, carryOver } from "./carry.js";
import type { SwapJournal, TargetLock } from "./lock.js";
import type { RestorePlan } from "./plan.js";
import { treeIdentityOf } from "./tree-identity.js";

export type SwapOutcome =
  | { readonly swapped: true }
  /** Nothing changed: the old store is in place (put back if it had been moved). */
  | { readonly swapped: false; readonly finding: ClassifiedFinding; readonly stuck: false }
  /** The swap could not be finished or undone: the lock and its journal stay for the next run. */
  | { readonly swapped: false; readonly finding: ClassifiedFinding; readonly stuck: true };

function errnoText(error: unknown): string {
  const errno = error as NodeJS.ErrnoException;
  return errno.code ?? String(error);
}

/**
 * `plan.scratch` must be beside the target (execute.ts moves it there first). Nothing here
 * stops at an interruption: `signal` only ends the tests' pauses, which then see the swap go on.
 */
export async function swapIn(
  plan: RestorePlan,
  lock: TargetLock,
  signal?: AbortSignal,
  journal: Pick<SwapJournal, "undoing"> = {},
): Promise<SwapOutcome> {
  const tree = await treeIdentityOf(plan.scratch);
  const carried = plan.carriedOver;
  await lock.phase("swapping", {
    ...(tree === null ? {} : { scratchTree: tree }),
    ...(carried.length === 0 ? {} : { carried }),
    ...journal,
  });
  let outcome: SwapOutcome | null = await carryIn(plan);
  if (outcome === null) {
    await checkpoint("before-swap", signal);
    const addon = plan.safetyCopy === null ? null : renameExchange();
    if (addon !== null && plan.safetyCopy !== null)
      outcome = await exchangeIn(plan, plan.safetyCopy, addon, signal);
    outcome ??= await renameIn(plan, signal);
  }
  if (!outcome.swapped) return outcome.stuck ? outcome : carriedBack(plan, outcome);
  await syncDirectory(dirname(plan.target));
  await checkpoint("after-swap", signal);
  return outcome;
}

/** Carries the unlisted paths into the scratch tree; null when done, else why not. */
async function carryIn(plan: RestorePlan): Promise<SwapOutcome | null> {
  if (plan.carriedOver.length === 0) return null;
  try {
    await carryOver(plan.target, plan.scratch, plan.carriedOver);
    return null;
  } catch (error) {
    return unchanged(
      plan,
      `could not carry what the release does not list from ${plan.target} into ${plan.scratch} (${errnoText(error)}); nothing was swapped`,
    );
  }
}

/** A swap that did not happen: what was carried into the scratch tree goes back first. */
async function carriedBack(
  plan: RestorePlan,
  outcome: Extract<SwapOutcome, { stuck: false }>,
): Promise<SwapOutcome> {
  if (plan.carriedOver.length === 0) return outcome;
  try {
    await carryBack(plan.scratch, plan.target, plan.carriedOver);
    return outcome;
  } catch (error) {
    return stuck(
      plan,
      `${outcome.finding.message}; what the release does not list could not be moved back from ${plan.scratch} (${errnoText(error)})`,
      "it moves them back",
    );
  }
}

/** The swap by exchange; null when this system cannot exchange (nothing was changed). */
async function exchangeIn(
  plan: RestorePlan,
  safetyCopy: string,
  addon: RenameExchange,
  signal: AbortSignal | undefined,
): Promise<SwapOutcome | null> {
  try {
    addon.exchange(plan.scratch, plan.target);
  } catch (error) {
    if (cannotExchange(error)) return null;
    return unchanged(
      plan,
      `could not exchange ${plan.scratch} and ${plan.target} (${errnoText(error)}); ${plan.target} was not changed`,
    );
  }
  // The new store is in place; the scratch name holds the old one until the next rename.
  if (pausesAt("mid-swap")) await checkpoint("mid-swap", signal);
  try {
    renameSync(plan.scratch, safetyCopy);
  } catch (error) {
    return exchangeBack(plan, safetyCopy, addon, error);
  }
  if (pausesAt("after-safety-copy")) await checkpoint("after-safety-copy", signal);
  return { swapped: true };
}

/** After the old store could not be renamed to its safety copy: the exchange is undone. */
function exchangeBack(
  plan: RestorePlan,
  safetyCopy: string,
  addon: RenameExchange,
  error: unknown,
): SwapOutcome {
  const failed = `could not rename the old store, exchanged out to ${plan.scratch}, to ${safetyCopy} (${errnoText(error)})`;
  try {
    addon.exchange(plan.scratch, plan.target);
  } catch (back) {
    return stuck(
      plan,
      `${failed}, nor exchange it back (${errnoText(back)}): ${plan.target} holds the verified new store, and the old store is at ${plan.scratch}`,
      "it moves the old store to the safety copy",
    );
  }
  return unchanged(plan, `${failed}; the exchange was undone, ${plan.target} holds the old store`);
}

/** The swap by two renames, for systems that cannot exchange. */
async function renameIn(plan: RestorePlan, signal: AbortSignal | undefined): Promise<SwapOutcome> {
  let movedAside = false;
  try {
    if (plan.safetyCopy !== null) {
      renameSync(plan.target, plan.safetyCopy);
      movedAside = true;
    }
    if (pausesAt("after-safety-copy")) await checkpoint("after-safety-copy", signal);
    renameSync(plan.scratch, plan.target);
  } catch (error) {
    return putBack(plan, movedAside, error);
  }
  return { swapped: true };
}

/** The swap could not be finished or undone: the next `--recover` does, as `whatRecoverDoes` says. */
function stuck(plan: RestorePlan, message: string, whatRecoverDoes: string): SwapOutcome {
  return {
    swapped: false,
    stuck: true,
    finding: createFinding("io_failed", {
      subject: plan.target,
      message,
      hint: `Run \`recoverable restore --recover --target ${plan.target}\` once the cause is fixed: ${whatRecoverDoes}.`,
    }),
  };
}

function unchanged(plan: RestorePlan, message: string): SwapOutcome {
  return {
    swapped: false,
    stuck: false,
    finding: createFinding("io_failed", { subject: plan.target, message }),
  };
}

/** After a failed rename: the old store goes back where it was, at once. */
function putBack(plan: RestorePlan, movedAside: boolean, error: unknown): SwapOutcome {
  const failed = `could not rename ${plan.scratch} to ${plan.target} (${errnoText(error)})`;
  if (!movedAside || plan.safetyCopy === null)
    return unchanged(plan, `${failed}; ${plan.target} was not changed`);
  try {
    renameSync(plan.safetyCopy, plan.target);
  } catch (back) {
    return stuck(
      plan,
      `${failed}, and the old store could not be moved back from ${plan.safetyCopy} (${errnoText(back)})`,
      "it moves the old store back",
    );
  }
  return unchanged(plan, `${failed}; the old store was moved back to ${plan.target}`);
}
