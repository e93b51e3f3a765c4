// Carries out a restore plan with litestream's discipline: write into scratch, fsync, verify,
// keep a safety copy, swap by rename, fsync the parent; on any failure the old target is left
// exactly as it was and the scratch tree is removed.
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { Manifest } from "../documents/types.js";
import { createFinding, hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import type { BackupRecord } from "../sources/backup-record.js";
import type { RestoreSource } from "../sources/source.js";
import {
  verifyStore,
  type StoreCheckCounts,
  type StoreVerification,
  type VerifyStoreOptions,
} from "../store/verify-store.js";
import { syncDirectory } from "../util/atomic-write.js";
import { checkpoint } from "../util/checkpoint.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import { acquireLock, releaseLock, updateJournal, type LockJournal } from "./lock.js";
import type { RestorePlan } from "./plan.js";

export type RestoreOutcome = {
  readonly findings: ClassifiedFinding[];
  readonly swapped: boolean;
  readonly restored: { readonly files: number; readonly bytes: number };
  readonly checked: StoreCheckCounts | null;
  /** The backup's own record of its bytes, when the source had one (docs/live-data.md). */
  readonly record?: BackupRecord;
};

export function targetLocked(
  target: string,
  lock: string,
  holder: number | null,
): ClassifiedFinding {
  const who = holder === null ? "another restore" : `another restore (process ${holder})`;
  return createFinding("target_locked", {
    subject: target,
    actual: holder === null ? "locked" : `locked by process ${holder}`,
    message: `${target}: ${who} holds ${lock}`,
  });
}

/**
 * How the restored tree is checked before the swap; a shard drill checks only its share.
 * `options.written`: what the source hashed as it wrote each file, so those bytes are not
 * read again.
 */
export type VerifyRestored = (
  root: string,
  options: Pick<VerifyStoreOptions, "written" | "progress">,
) => Promise<StoreVerification>;

export async function executeRestore(
  plan: RestorePlan,
  source: RestoreSource,
  manifest: Manifest,
  verifyRestored: VerifyRestored = (root, options) => verifyStore(root, manifest, options),
  progress: ProgressReporter = NO_PROGRESS,
  exitOnSignal = false,
): Promise<RestoreOutcome> {
  const journal: LockJournal = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    phase: "restoring",
    target: plan.target,
    scratch: plan.scratch,
    safetyCopy: plan.safetyCopy,
  };
  await mkdir(dirname(plan.target), { recursive: true });
  if (!(await acquireLock(plan.lock, journal))) {
    return {
      findings: [targetLocked(plan.target, plan.lock, null)],
      swapped: false,
      restored: { files: 0, bytes: 0 },
      checked: null,
    };
  }
  const removeScratch = () => rm(plan.scratch, { recursive: true, force: true });
  // SIGINT and SIGTERM before the swap: clean up and leave the target as it was.
  let swapping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (swapping) return; // the swap is two renames; let it finish
    void removeScratch()
      .then(() => releaseLock(plan.lock))
      .finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
  };
  // Only the CLI exits on a signal: a library never ends its host's process (an interrupted
  // restore is rolled back by the next restore of the target, from the lock's journal).
  if (exitOnSignal) {
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
  try {
    await mkdir(plan.scratch, { mode: 0o755 });
    const extracted = await source.extract(plan.scratch, progress);
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
    if (hasErrors(verification.findings)) {
      await removeScratch();
      return {
        findings: verification.findings,
        swapped: false,
        restored: extracted,
        checked: verification.checked,
        ...record,
      };
    }
    swapping = true;
    await updateJournal(plan.lock, { ...journal, phase: "swapping" });
    if (plan.safetyCopy) {
      await rename(plan.target, plan.safetyCopy);
      await checkpoint("after-safety-copy");
    }
    await rename(plan.scratch, plan.target);
    await syncDirectory(dirname(plan.target));
    await checkpoint("after-swap");
    return {
      findings: verification.findings,
      swapped: true,
      restored: extracted,
      checked: verification.checked,
      ...record,
    };
  } catch (error) {
    if (!swapping) await removeScratch();
    throw error;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await releaseLock(plan.lock);
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
