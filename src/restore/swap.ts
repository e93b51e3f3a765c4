// The swap of a verified scratch tree into the target. POSIX has no call that exchanges two
// directories (Linux's renameat2 RENAME_EXCHANGE is out of Node's reach), so it is two renames:
// the target to its safety copy, the scratch tree to the target. They run back to back as
// synchronous calls, so no JavaScript (no signal handler, timer or other task) runs between
// them, after the lock's journal says "swapping" on disk. Only a SIGKILL or a crash landing
// between those two system calls leaves the target absent; the next restore, or
// `restore --recover`, then moves the old store back before anything else (recover.ts).
import { renameSync } from "node:fs";
import { dirname } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { syncDirectory } from "../util/atomic-write.js";
import { checkpoint, pausesAt } from "../util/checkpoint.js";
import type { TargetLock } from "./lock.js";
import type { RestorePlan } from "./plan.js";

export type SwapOutcome =
  | { readonly swapped: true }
  /** Nothing changed: the old store is in place (put back if it had been moved). */
  | { readonly swapped: false; readonly finding: ClassifiedFinding; readonly stuck: false }
  /** The old store could not be put back: the lock and its journal stay for the next run. */
  | { readonly swapped: false; readonly finding: ClassifiedFinding; readonly stuck: true };

function errnoText(error: unknown): string {
  const errno = error as NodeJS.ErrnoException;
  return errno.code ?? String(error);
}

export async function swapIn(plan: RestorePlan, lock: TargetLock): Promise<SwapOutcome> {
  await lock.phase("swapping");
  await checkpoint("before-swap");
  let movedAside = false;
  try {
    if (plan.safetyCopy !== null) {
      renameSync(plan.target, plan.safetyCopy);
      movedAside = true;
    }
    if (pausesAt("after-safety-copy")) await checkpoint("after-safety-copy");
    renameSync(plan.scratch, plan.target);
  } catch (error) {
    return putBack(plan, movedAside, error);
  }
  await syncDirectory(dirname(plan.target));
  await checkpoint("after-swap");
  return { swapped: true };
}

/** After a failed rename: the old store goes back where it was, at once. */
function putBack(plan: RestorePlan, movedAside: boolean, error: unknown): SwapOutcome {
  const failed = `could not rename ${plan.scratch} to ${plan.target} (${errnoText(error)})`;
  if (!movedAside || plan.safetyCopy === null)
    return {
      swapped: false,
      stuck: false,
      finding: createFinding("io_failed", {
        subject: plan.target,
        message: `${failed}; ${plan.target} was not changed`,
      }),
    };
  try {
    renameSync(plan.safetyCopy, plan.target);
  } catch (back) {
    return {
      swapped: false,
      stuck: true,
      finding: createFinding("io_failed", {
        subject: plan.target,
        message: `${failed}, and the old store could not be moved back from ${plan.safetyCopy} (${errnoText(back)})`,
        hint: `Run \`recoverable restore --recover --target ${plan.target}\` once the cause is fixed: it moves the old store back.`,
      }),
    };
  }
  return {
    swapped: false,
    stuck: false,
    finding: createFinding("io_failed", {
      subject: plan.target,
      message: `${failed}; the old store was moved back to ${plan.target}`,
    }),
  };
}
