// Finishing what a killed restore left, before anything else touches the target. Only what can be
// proven to be a restore's own is touched: names derived from the target and a run id, in the
// target's parent (or the --scratch this run was given), directories (never links), scratch trees
// owned by this user. A path read from a lock is never acted on.
//
// The rule, for a run killed while its journal said "swapping": whether its swap took effect is
// read from the target itself, which is then the tree the journal names (same device and inode).
// Killed in the two-rename swap with the target gone, the old store comes back from its safety
// copy (the swap is rolled back, as if the run had never started). Killed after its exchange but
// before the old store, now under the scratch tree's name, was renamed to the safety copy, that
// rename is done (the verified new store stays). Otherwise the target is left as it is, old or
// new. Abandoned scratch trees are removed; safety copies are kept for the user, as a finished
// restore keeps them.
import { lstat, readdir, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { entryTypeAt } from "../store/walk-store.js";
import { syncDirectory } from "../util/atomic-write.js";
import { describeHolder, UNREADABLE_GRACE_MS } from "../util/lock-file.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { ok, type Checked } from "../findings/checked.js";
import { lockTarget, peekTargetLock, type PreviousRun, type TargetLock } from "./lock.js";
import { carryBack } from "./carry.js";
import { isNoSpace } from "./no-space.js";
import { safetyCopyOf, scratchNameOf } from "./plan.js";
import { sameTree, treeIdentityOf } from "./tree-identity.js";
import { removeTree } from "../util/remove-tree.js";

/** What is there, found by names derived from the target (the pure planner's input). */
export type Leftovers = {
  readonly target: string;
  readonly targetPresent: boolean;
  /** The target is the tree the dead run journaled before its swap: the swap took effect. */
  readonly targetIsNewTree: boolean;
  /**
   * When it did, and the dead run's scratch tree name beside the target is still a directory:
   * its exchange put the old store there, and the run was killed before renaming it.
   */
  readonly oldStoreAt: string | null;
  /** The dead run's safety copy, when it is a directory there. */
  readonly safetyCopy: string | null;
  /** Scratch trees of runs that are not running: directories named as this target's, ours. */
  readonly scratches: readonly string[];
  /** Temporary files of lock writes, and lock breakers, that were cut off. */
  readonly lockTemporaries: readonly string[];
  /** The dead run's scratch tree in a --scratch directory this run does not look in. */
  readonly unreachedScratch: string | null;
  /**
   * When its swap did not take effect: the dead run's scratch tree beside the target, into which
   * it may have carried the paths the release does not list (moved back before it is removed).
   */
  readonly carriedIn?: string | null;
};

/** One thing to do or to say; `done` is how the result says it, `todo` how a dry run does. */
export type RecoveryStep = { readonly done: string; readonly todo: string } & (
  | { readonly kind: "note" }
  | { readonly kind: "move"; readonly from: string; readonly to: string }
  | { readonly kind: "remove"; readonly path: string }
  | {
      readonly kind: "carry";
      readonly from: string;
      readonly to: string;
      readonly paths: readonly string[];
    }
);

/** What to do about what a dead run left (pure). */
export function planRecovery(previous: PreviousRun | null, found: Leftovers): RecoveryStep[] {
  const steps: RecoveryStep[] = [];
  const note = (text: string) => steps.push({ kind: "note", done: text, todo: text });
  if (previous !== null) {
    const run = previous.runId === null ? null : `restore run ${previous.runId}`;
    const holder = `${describeHolder(previous.holder, run)}, which is no longer running`;
    steps.push({
      kind: "note",
      done: `took over the lock left by ${holder}`,
      todo: `take over the lock left by ${holder}`,
    });
  }
  const swap = previous?.phase === "swapping" ? swapRecovery(previous, found) : null;
  if (swap !== null) steps.push(swap);
  const carried = previous?.phase === "swapping" ? (previous.carried ?? []) : [];
  const carriedIn = found.carriedIn ?? null;
  if (carried.length > 0 && carriedIn !== null)
    steps.push({
      kind: "carry",
      from: carriedIn,
      to: found.target,
      paths: carried,
      done: `moved what the release does not list back from ${carriedIn} into ${found.target}, as the interrupted restore had carried it there before its swap: ${carried.join(", ")}`,
      todo: `move what the release does not list back from ${carriedIn} into ${found.target} (the interrupted restore had carried it there before its swap): ${carried.join(", ")}`,
    });
  // After an exchange, the dead run's scratch name holds the old store: never removed.
  for (const path of found.scratches.filter((path) => path !== found.oldStoreAt))
    steps.push({
      kind: "remove",
      path,
      done: `removed the abandoned scratch tree ${path}`,
      todo: `remove the abandoned scratch tree ${path}`,
    });
  for (const path of found.lockTemporaries)
    steps.push({
      kind: "remove",
      path,
      done: `removed ${path}, left by an interrupted lock`,
      todo: `remove ${path}, left by an interrupted lock`,
    });
  if (found.unreachedScratch !== null)
    note(
      `the interrupted restore's scratch tree ${found.unreachedScratch} is not beside the target and was not removed; remove it, or give the same --scratch`,
    );
  return steps;
}

/** What a run killed while its journal said "swapping" needs done, or said; null: nothing. */
function swapRecovery(previous: PreviousRun, found: Leftovers): RecoveryStep | null {
  const { target, safetyCopy } = found;
  const note = (text: string): RecoveryStep => ({ kind: "note", done: text, todo: text });
  if (!found.targetPresent && safetyCopy !== null)
    return {
      kind: "move",
      from: safetyCopy,
      to: target,
      done: `moved the old store back from the safety copy ${safetyCopy} to ${target}: the interrupted restore was killed in its swap`,
      todo: `move the old store back from the safety copy ${safetyCopy} to ${target} (the interrupted restore was killed in its swap)`,
    };
  if (!found.targetPresent) return null;
  const oldStore = found.targetIsNewTree ? found.oldStoreAt : null;
  const safety = previous.runId === null ? null : safetyCopyOf(target, previous.runId);
  if (oldStore !== null && safety !== null && safetyCopy === null)
    return {
      kind: "move",
      from: oldStore,
      to: safety,
      done: `moved the old store from ${oldStore} to the safety copy ${safety}: the interrupted restore was killed in its swap, after exchanging its verified store into ${target}`,
      todo: `move the old store from ${oldStore} to the safety copy ${safety} (the interrupted restore was killed in its swap, after exchanging its verified store into ${target})`,
    };
  if (oldStore !== null)
    return note(
      `the interrupted restore had exchanged its verified store into ${target}; the old store is kept at ${oldStore}`,
    );
  if (found.targetIsNewTree || safetyCopy !== null)
    return note(
      `the interrupted restore had swapped its verified store into ${target}${safetyCopy === null ? "" : `; the old store is kept at ${safetyCopy}`}`,
    );
  if (previous.scratchTree !== null)
    return note(
      `the interrupted restore was killed before its swap took effect: ${target} holds the store it held before`,
    );
  return null;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const RUN = String.raw`\d{8}T\d{6}Z-[0-9a-f]{6}`;

/**
 * Looks for what dead runs left around `target`. In the target's parent every scratch tree named
 * as this target's is abandoned (the lock is ours); in `scratchDir` (this run's --scratch, which
 * other targets of the same name may share) only the dead run's own.
 */
export async function findLeftovers(
  target: string,
  previous: PreviousRun | null,
  scratchDir: string | null,
): Promise<Leftovers> {
  const parent = dirname(target);
  const name = escape(basename(target));
  const scratchName = new RegExp(`^\\.${name}\\.recoverable-restore-${RUN}$`);
  const temporaryName = new RegExp(
    `^\\.${name}\\.recoverable\\.lock\\.(?:[0-9a-f]{12}\\.tmp|break)$`,
  );
  const scratches: string[] = [];
  const lockTemporaries: string[] = [];
  for (const entry of await namesIn(parent)) {
    const path = join(parent, entry);
    if (scratchName.test(entry) && (await isOwnDirectory(path))) scratches.push(path);
    if (temporaryName.test(entry) && (await isAbandonedFile(path))) lockTemporaries.push(path);
  }
  const runId = previous?.runId ?? null;
  const theirs =
    runId !== null && previous?.scratchDir != null && previous.scratchDir !== parent
      ? join(previous.scratchDir, scratchNameOf(target, runId))
      : null;
  const reachable = theirs !== null && dirname(theirs) === scratchDir;
  if (theirs !== null && reachable && (await isOwnDirectory(theirs))) scratches.push(theirs);
  const safety = runId === null ? null : safetyCopyOf(target, runId);
  const journaled = previous?.scratchTree ?? null;
  const targetIsNewTree = journaled !== null && sameTree(await treeIdentityOf(target), journaled);
  // Not only the user's own: it may be the old store, whoever owns it; it is moved, never removed.
  // (restore --undo exchanged the safety copy it put back: the old store is under that name.)
  const scratchBeside = runId === null ? null : join(parent, scratchNameOf(target, runId));
  const undoing = previous?.undoing ?? null;
  const exchangedOut = undoing === null ? scratchBeside : safetyCopyOf(target, undoing);
  // The tree it swapped in: its own scratch tree, or the safety copy an undo put back.
  const swappedIn = undoing === null ? scratchBeside : exchangedOut;
  const carriedIn =
    !targetIsNewTree && swappedIn !== null && (await isOwnDirectory(swappedIn)) ? swappedIn : null;
  return {
    target,
    targetPresent: (await entryTypeAt(target)) !== null,
    targetIsNewTree,
    oldStoreAt:
      targetIsNewTree && exchangedOut !== null && (await entryTypeAt(exchangedOut)) === "dir"
        ? exchangedOut
        : null,
    safetyCopy: safety !== null && (await entryTypeAt(safety)) === "dir" ? safety : null,
    scratches,
    lockTemporaries,
    unreachedScratch:
      theirs !== null && !reachable && (await entryTypeAt(theirs)) === "dir" ? theirs : null,
    carriedIn,
  };
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** A directory (not a link) owned by the user this process runs as. */
async function isOwnDirectory(path: string): Promise<boolean> {
  const info = await lstat(path).catch(() => null);
  if (info === null) return false;
  return info.isDirectory() && (process.geteuid === undefined || info.uid === process.geteuid());
}

/** A file left this long ago; one that vanished meanwhile (another run's write, done) is not. */
async function isAbandonedFile(path: string): Promise<boolean> {
  const info = await lstat(path).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  });
  return info !== null && info.isFile() && Date.now() - info.mtimeMs >= UNREADABLE_GRACE_MS;
}

/** Carries the steps out, in order; returns what was done and found, for the result. */
async function applyRecovery(steps: readonly RecoveryStep[]): Promise<string[]> {
  for (const step of steps) {
    if (step.kind === "move") {
      await rename(step.from, step.to);
      await syncDirectory(dirname(step.to));
    } else if (step.kind === "carry") await carryBack(step.from, step.to, step.paths);
    else if (step.kind === "remove") await removeTree(step.path);
  }
  return steps.map((step) => step.done);
}

/**
 * Takes the target's lock and finishes what dead runs left, before anything else; returns the
 * lock and what was found and done. The lock journals the dead run until that is finished.
 */
export async function lockAndRecover(
  target: string,
  runId: string,
  scratchDir: string | null,
): Promise<Checked<{ lock: TargetLock; recovered: string[] }>> {
  let freed: string[] = [];
  let taken: Awaited<ReturnType<typeof lockTarget>>;
  try {
    taken = await lockTarget(target, runId, scratchDir);
  } catch (error) {
    if (!isNoSpace(error)) throw error;
    freed = await freeDeadScratch(target);
    if (freed.length === 0) throw error;
    taken = await lockTarget(target, runId, scratchDir);
  }
  if (!taken.ok) return taken;
  const { lock, previous } = taken.value;
  try {
    const found = await findLeftovers(target, previous, scratchDir);
    const recovered = await applyRecovery(planRecovery(previous, found));
    if (previous !== null) await lock.phase("restoring");
    return ok({ lock, recovered: [...freed, ...recovered] });
  } catch (error) {
    await lock.handBack();
    throw error;
  }
}

/**
 * When the disk is too full to write even the lock: a dead run's own scratch tree goes first.
 * Its name (from the stale lock's run id) proves whose it is, and a dead run writes nothing.
 */
async function freeDeadScratch(target: string): Promise<string[]> {
  const peek = await peekTargetLock(target);
  const runId = peek.ok ? (peek.value.previous?.runId ?? null) : null;
  if (runId === null) return [];
  const scratch = join(dirname(target), scratchNameOf(target, runId));
  if (!(await isOwnDirectory(scratch))) return [];
  await removeTree(scratch);
  return [
    `removed the abandoned scratch tree ${scratch}, which had filled the disk, before taking the lock`,
  ];
}

/** What was found and done, as info findings (`restore_recovered`), one a line. */
export function recoveredFindings(target: string, lines: readonly string[]): ClassifiedFinding[] {
  return lines.map((message) =>
    createFinding("restore_recovered", { subject: target, severity: "info", message }),
  );
}
