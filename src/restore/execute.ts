// Carries out a restore plan with litestream's discipline: write into scratch, fsync, verify,
// keep a safety copy, swap by rename, fsync the parent; on any failure the old target is left
// exactly as it was and everything the run wrote is removed. Each step is journaled in the lock,
// so a run killed at any of them is finished or rolled back by the next (recover.ts, swap.ts).
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Manifest } from "../documents/types.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { sealedSizesOf } from "../archive/sealed-sizes.js";
import type { BackupRecord } from "../archive/backup-record.js";
import type { RestoreSource } from "../archive/source.js";
import {
  verifyStore,
  type StoreCheckCounts,
  type StoreVerification,
  type VerifyStoreOptions,
} from "../store/verify-store.js";
import { checkpoint } from "../util/checkpoint.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import type { TargetLock } from "./lock.js";
import { bytesNeeded, isNoSpace, noSpaceLeft } from "./no-space.js";
import type { RestorePlan } from "./plan.js";
import { lockAndRecover } from "./recover.js";
import { swapIn } from "./swap.js";

export type RestoreOutcome = {
  readonly findings: ClassifiedFinding[];
  readonly swapped: boolean;
  readonly restored: { readonly files: number; readonly bytes: number };
  readonly checked: StoreCheckCounts | null;
  /** What an interrupted restore of the same target had left, and what was done about it. */
  readonly recovered: readonly string[];
  /** The backup's own record of its bytes, when the source had one (docs/live-data.md). */
  readonly record?: BackupRecord;
};

/**
 * How the restored tree is checked before the swap; a shard drill checks only its share.
 * `options.written`: what the source hashed as it wrote each file, so those bytes are not
 * read again.
 */
export type VerifyRestored = (
  root: string,
  options: Pick<VerifyStoreOptions, "written" | "progress">,
) => Promise<StoreVerification>;

const NOTHING = { files: 0, bytes: 0 };

/** The directory --scratch named, when the scratch tree is not beside the target. */
function scratchDirOf(plan: RestorePlan): string | null {
  const dir = dirname(plan.scratch);
  return dir === dirname(plan.target) ? null : dir;
}

/**
 * Restores `plan` under the target's lock: `held` when the caller took it already (and finished
 * what a dead run left), else taken here. The lock is released at the end, unless a failed swap
 * could not put the old store back: then its journal stays for the next run.
 */
export async function executeRestore(
  plan: RestorePlan,
  source: RestoreSource,
  manifest: Manifest,
  verifyRestored: VerifyRestored = (root, options) => verifyStore(root, manifest, options),
  progress: ProgressReporter = NO_PROGRESS,
  exitOnSignal = false,
  held?: TargetLock,
): Promise<RestoreOutcome> {
  let lock = held;
  let recovered: readonly string[] = [];
  if (lock === undefined) {
    await mkdir(dirname(plan.target), { recursive: true });
    const taken = await lockAndRecover(plan.target, plan.runId, scratchDirOf(plan));
    if ("code" in taken)
      return { findings: [taken], swapped: false, restored: NOTHING, checked: null, recovered };
    ({ lock, recovered } = taken);
  }
  const run = await runLocked(plan, lock, source, verifyRestored, progress, exitOnSignal, manifest);
  return { ...run, recovered };
}

async function runLocked(
  plan: RestorePlan,
  lock: TargetLock,
  source: RestoreSource,
  verifyRestored: VerifyRestored,
  progress: ProgressReporter,
  exitOnSignal: boolean,
  manifest: Manifest,
): Promise<Omit<RestoreOutcome, "recovered">> {
  const removeScratch = () => rm(plan.scratch, { recursive: true, force: true });
  let keepLock = false;
  // SIGINT and SIGTERM before the swap: clean up and leave the target as it was. Once the swap
  // is journaled it runs to its end (two renames and an fsync): a signal then changes nothing.
  let swapping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (swapping) return;
    void removeScratch()
      .then(() => lock.release())
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  // Only the CLI exits on a signal: a library never ends its host's process (an interrupted
  // restore is rolled back by the next restore of the target, from the lock's journal).
  if (exitOnSignal) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  try {
    await checkpoint("after-lock");
    const refused = await makeScratch(plan);
    if (refused) return { findings: [refused], swapped: false, restored: NOTHING, checked: null };
    const extracted = await source.extract(
      plan.scratch,
      progress,
      sealedSizesOf(manifest.artifacts),
    );
    await checkpoint("after-extract");
    const record = extracted.record ? { record: extracted.record } : {};
    if (hasErrors(extracted.findings)) {
      await removeScratch();
      return {
        findings: extracted.findings,
        swapped: false,
        restored: extracted,
        checked: null,
        ...record,
      };
    }
    const verification = await verifyRestored(plan.scratch, {
      ...(extracted.written ? { written: extracted.written } : {}),
      progress,
    });
    await checkpoint("after-verify");
    const outcome = { restored: extracted, checked: verification.checked, ...record };
    if (hasErrors(verification.findings)) {
      await removeScratch();
      return { ...outcome, findings: verification.findings, swapped: false };
    }
    swapping = true;
    const swap = await swapIn(plan, lock);
    if (swap.swapped) return { ...outcome, findings: verification.findings, swapped: true };
    keepLock = swap.stuck;
    if (!swap.stuck) await removeScratch();
    return { ...outcome, findings: [swap.finding], swapped: false };
  } catch (error) {
    await removeScratch();
    if (!isNoSpace(error)) throw error;
    const finding = await noSpaceLeft(error, dirname(plan.scratch), bytesNeeded(manifest));
    return { findings: [finding], swapped: false, restored: NOTHING, checked: null };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (!keepLock) await lock.release();
  }
}

/**
 * Makes the empty scratch directory. When --scratch put it elsewhere, proves at once that it
 * can be renamed into the target's parent (the swap is a rename): another file system is
 * refused before a byte is written.
 */
async function makeScratch(plan: RestorePlan): Promise<ClassifiedFinding | null> {
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

export async function targetStateOf(
  target: string,
): Promise<"absent" | "empty" | "non-empty" | "not-a-directory"> {
  try {
    return (await readdir(target)).length === 0 ? "empty" : "non-empty";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "absent";
    if (code === "ENOTDIR") return "not-a-directory";
    throw error;
  }
}
