// Carries out a restore plan with litestream's discipline: write into scratch, fsync, verify,
// keep a safety copy, swap (an exchange where the system has one), fsync the parent; on any
// failure or interruption before the swap the old target is left exactly as it was and
// everything the run wrote is removed. Each step is journaled in the lock, so a run killed at
// any of them is finished or rolled back by the next (recover.ts, swap.ts).
import { mkdir, readdir } from "node:fs/promises";
import { dirname } from "node:path";
import { tableOf, type ReleaseArtifacts } from "../documents/load-tabled-evidence.js";
import { hasErrors, type ClassifiedFinding } from "../findings/finding.js";
import { interruptedBy, interruptedFinding } from "../findings/interrupted.js";
import { needsSealedSizes, sealedSizesOf, type SealedSizes } from "../archive/sealed-sizes.js";
import type { BackupRecord } from "../archive/backup-record.js";
import type { RestoreSource } from "../archive/source.js";
import {
  verifyStore,
  type StoreCheckCounts,
  type StoreVerification,
  type VerifyStoreOptions,
} from "../store/verify-store.js";
import { whenAborted } from "../util/abort.js";
import { checkpoint, pausesAt } from "../util/checkpoint.js";
import { NO_PROGRESS, type ProgressReporter } from "../util/progress.js";
import { interruptionOf, type Interruption } from "../util/run-scope.js";
import type { TargetLock } from "./lock.js";
import { bytesNeeded, isNoSpace, noSpaceLeft } from "./no-space.js";
import type { RestorePlan } from "./plan.js";
import { lockAndRecover } from "./recover.js";
import { besideTarget, makeScratch, RestoreExitGuard } from "./scratch.js";
import { swapIn } from "./swap.js";
import { removeTree } from "../util/remove-tree.js";

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

export type ExecuteOptions = {
  readonly verifyRestored?: VerifyRestored;
  readonly progress?: ProgressReporter;
  /**
   * Aborted before the swap is journaled: the run gives up what it is doing, removes its scratch
   * tree, releases the lock and ends with the `interrupted` finding; the target is as it was.
   * Once the swap is journaled it runs to its end.
   */
  readonly signal?: AbortSignal;
  /** The target's lock, when the caller took it already (and finished what a dead run left). */
  readonly held?: TargetLock;
};

const NOTHING = { files: 0, bytes: 0 };

/**
 * The release's artifacts as a restore holds them: in compact columns, or the manifest file read
 * a window at a time (src/documents/load-tabled-evidence.ts), as verifyStore takes them both.
 */
export type RestoreManifest = ReleaseArtifacts;

/**
 * The sealed sizes a source bounds its members by, looked up in compact columns (windows are
 * read into them: a caller that knows the source gives the table, ./load.ts); none for a
 * source that does not bound them (dir:, snapshot:).
 */
async function sealedFor(
  source: RestoreSource,
  manifest: RestoreManifest,
): Promise<SealedSizes | undefined> {
  return needsSealedSizes(source.ref) ? sealedSizesOf(await tableOf(manifest)) : undefined;
}

/** The finding of a restore interrupted before its swap; `what`: when, and what it left. */
export function restoreInterrupted(interruption: Interruption, what: string): ClassifiedFinding {
  return interruptedFinding(
    interruption,
    `the restore was interrupted by ${interruptedBy(interruption)} ${what}`,
    "Run the restore again when you want it: nothing of this run is left to recover.",
  );
}

/** The directory --scratch named, when the scratch tree is not beside the target. */
function scratchDirOf(plan: RestorePlan): string | null {
  const dir = dirname(plan.scratch);
  return dir === dirname(plan.target) ? null : dir;
}

/**
 * Restores `plan` under the target's lock: `options.held`, or taken here. The lock is released
 * at the end, unless a failed swap could not be finished or undone: then its journal stays for
 * the next run.
 */
export async function executeRestore(
  plan: RestorePlan,
  source: RestoreSource,
  manifest: RestoreManifest,
  options: ExecuteOptions = {},
): Promise<RestoreOutcome> {
  let lock = options.held;
  let recovered: readonly string[] = [];
  if (lock === undefined) {
    await mkdir(dirname(plan.target), { recursive: true });
    const taken = await lockAndRecover(plan.target, plan.runId, scratchDirOf(plan));
    if (!taken.ok)
      return {
        findings: [...taken.findings],
        swapped: false,
        restored: NOTHING,
        checked: null,
        recovered,
      };
    ({ lock, recovered } = taken.value);
  }
  const run = new LockedRun(plan, lock, source, manifest, options);
  return { ...(await run.run()), recovered };
}

type Outcome = Omit<RestoreOutcome, "recovered">;

/** One restore under its lock; `run()` once. */
class LockedRun {
  private readonly guard: RestoreExitGuard;
  /** Work given up at an interruption that may still write into the scratch tree. */
  private readonly abandoned: Promise<unknown>[] = [];
  private readonly verifyRestored: VerifyRestored;
  private readonly progress: ProgressReporter;
  private readonly signal: AbortSignal | undefined;

  constructor(
    private plan: RestorePlan,
    private readonly lock: TargetLock,
    private readonly source: RestoreSource,
    private readonly manifest: RestoreManifest,
    options: ExecuteOptions,
  ) {
    this.guard = new RestoreExitGuard(plan.scratch, lock.path);
    this.verifyRestored =
      options.verifyRestored ?? ((root, verify) => verifyStore(root, manifest, verify));
    this.progress = options.progress ?? NO_PROGRESS;
    this.signal = options.signal;
  }

  private readonly removeScratch = () => removeTree(this.plan.scratch);

  async run(): Promise<Outcome> {
    let keep = false;
    try {
      const { outcome, verified } = await this.untilSwap();
      if (!verified) return outcome;
      // From here the journal, not this process, says what is left if the run dies.
      this.guard.disarm();
      keep = true;
      const swap = await swapIn(this.plan, this.lock, this.signal);
      keep = !swap.swapped && swap.stuck;
      if (swap.swapped) return outcome;
      if (!swap.stuck) await this.removeScratch();
      return { ...outcome, findings: [swap.finding], swapped: false };
    } catch (error) {
      if (keep) throw error; // the swap had begun: its journal stays for the next run
      await this.removeScratch();
      if (!isNoSpace(error)) throw error;
      const dir = dirname(this.plan.scratch);
      const finding = await noSpaceLeft(error, dir, await bytesNeeded(this.manifest));
      return { findings: [finding], swapped: false, restored: NOTHING, checked: null };
    } finally {
      if (!keep) await this.release();
    }
  }

  /**
   * Extracts and verifies; `verified` when the tree may be swapped in (its outcome is then the
   * swap's, if it succeeds), else the run's outcome.
   */
  private async untilSwap(): Promise<{ outcome: Outcome; verified: boolean }> {
    const { plan, source, progress } = this;
    await checkpoint("after-lock", this.signal);
    const done = (outcome: Outcome) => ({ outcome, verified: false });
    if (this.signal?.aborted) return done(await this.interrupted("before it extracted anything"));
    const refused = await makeScratch(plan);
    if (refused)
      return done({ findings: [refused], swapped: false, restored: NOTHING, checked: null });
    const extracting = source.extract(
      plan.scratch,
      progress,
      await sealedFor(source, this.manifest),
    );
    // A test pause inside the work, which only an interruption gives up.
    const extracted = await this.unlessAborted(
      pausesAt("during-extract")
        ? extracting.then(async (result) => {
            await checkpoint("during-extract");
            return result;
          })
        : extracting,
    );
    await checkpoint("after-extract", this.signal);
    if (extracted === null || this.signal?.aborted)
      return done(await this.interrupted("while it extracted the backup"));
    const record = extracted.record ? { record: extracted.record } : {};
    if (hasErrors(extracted.findings)) {
      await this.removeScratch();
      return done({
        findings: extracted.findings,
        swapped: false,
        restored: extracted,
        checked: null,
        ...record,
      });
    }
    const verification = await this.unlessAborted(
      this.verifyRestored(plan.scratch, {
        ...(extracted.written ? { written: extracted.written } : {}),
        progress,
      }),
    );
    await checkpoint("after-verify", this.signal);
    if (verification === null || this.signal?.aborted)
      return done(await this.interrupted("while it verified the restored tree"));
    const counts = { restored: extracted, checked: verification.checked, ...record };
    if (hasErrors(verification.findings)) {
      await this.removeScratch();
      return done({ ...counts, findings: verification.findings, swapped: false });
    }
    this.plan = await besideTarget(plan);
    this.guard.movedTo(this.plan.scratch);
    return {
      outcome: { ...counts, findings: verification.findings, swapped: true },
      verified: true,
    };
  }

  /** `work`'s result, or null when the signal aborts first (the work is given up). */
  private async unlessAborted<T>(work: Promise<T>): Promise<T | null> {
    const wait = whenAborted(this.signal);
    try {
      return await Promise.race([work, wait.aborted.then(() => null)]);
    } finally {
      wait.dispose();
      if (this.signal?.aborted) this.abandoned.push(work.catch(() => undefined));
    }
  }

  private async interrupted(when: string): Promise<Outcome> {
    // Work given up may still be writing into it: then this removal may fail, and the tree is
    // removed again once that work has ended (release), or at exit.
    if (this.abandoned.length === 0) await this.removeScratch();
    else await this.removeScratch().catch(() => undefined);
    const finding = restoreInterrupted(
      interruptionOf(this.signal as AbortSignal) ?? "aborted",
      `${when}: it removed its scratch tree and released the lock; ${this.plan.target} was not changed`,
    );
    return { findings: [finding], swapped: false, restored: NOTHING, checked: null };
  }

  /**
   * Releases the lock, and the exit guard; after work given up at an interruption has ended
   * (its scratch tree is removed once more then), or at exit, whichever comes first.
   */
  private async release(): Promise<void> {
    if (this.abandoned.length === 0) {
      await this.lock.release();
      this.guard.disarm();
      return;
    }
    void Promise.all(this.abandoned)
      .then(this.removeScratch)
      .then(() => this.lock.release())
      .catch(() => undefined)
      .finally(() => {
        this.guard.disarm();
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
