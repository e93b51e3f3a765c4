// A restore's scratch tree: made where the plan says, proven renameable into the target's
// parent, moved beside the target before the swap, and guarded until the swap is journaled.
import { rmSync, unlinkSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { registerExitCleanup } from "../util/exit-cleanup.js";
import type { RestorePlan } from "./plan.js";

/**
 * Makes the empty scratch directory. When --scratch put it elsewhere, proves at once that it
 * can be renamed into the target's parent (the swap is a rename): another file system is
 * refused before a byte is written.
 */
export async function makeScratch(plan: RestorePlan): Promise<ClassifiedFinding | null> {
  await mkdir(plan.scratch, { mode: 0o755 });
  const parent = dirname(plan.target);
  if (dirname(plan.scratch) === parent) return null;
  const probe = join(parent, basename(plan.scratch));
  try {
    await rename(plan.scratch, probe);
    await rename(probe, plan.scratch);
    return null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    await rm(plan.scratch, { recursive: true, force: true });
    return createFinding("usage_invalid", {
      subject: "--scratch",
      expected: `a directory on the file system of ${parent}`,
      actual: dirname(plan.scratch),
      message: `--scratch ${dirname(plan.scratch)} is on another file system than ${parent}: the restored tree could not be renamed into place (EXDEV), so nothing was restored`,
      hint: "Leave --scratch out (the scratch tree then goes beside the target), or name a directory on the target's file system.",
    });
  }
}

/**
 * The plan with its verified scratch tree moved beside the target (under the same name), when
 * --scratch had put it elsewhere: the swap, and whatever a kill in it leaves, is then all in the
 * target's parent, where recovery looks.
 */
export async function besideTarget(plan: RestorePlan): Promise<RestorePlan> {
  const beside = join(dirname(plan.target), basename(plan.scratch));
  if (beside === plan.scratch) return plan;
  await rename(plan.scratch, beside);
  return { ...plan, scratch: beside };
}

/**
 * Removes the scratch tree and the lock if the process exits before the run could (an
 * interrupted command line exits at once, a second Ctrl-C at any moment). Disarmed before the
 * swap is journaled: from then on the journal says what a dead run left, and the scratch name
 * may hold the old store. Never handed to the reaper, for the same reason: a restore that dies
 * without an exit leaves its journal to the next run.
 */
export class RestoreExitGuard {
  private scratch: string;
  private readonly unregister: (() => void)[];

  constructor(scratch: string, lock: string) {
    this.scratch = scratch;
    // Run last registered first: the scratch tree goes, then the lock.
    this.unregister = [
      registerExitCleanup(() => {
        unlinkSync(lock);
      }),
      registerExitCleanup(() => {
        rmSync(this.scratch, { recursive: true, force: true });
      }),
    ];
  }

  /** The scratch tree was moved. */
  movedTo(scratch: string): void {
    this.scratch = scratch;
  }

  disarm(): void {
    for (const unregister of this.unregister.splice(0)) unregister();
  }
}
