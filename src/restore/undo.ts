// restore --undo: put the newest safety copy back into the target, atomically, and keep what it
// replaces as a safety copy in turn (so an undo can be undone). What the target holds and the
// safety copy does not (what a restore carried over, the rest of the store after --only) is
// carried over as a restore carries it, never set aside in silence. Under the target's lock, after
// finishing what a dead run left, with the swap of a restore (swap.ts): the safety copy is the
// tree swapped in, journaled by its identity and its run id (`undoing`), so a run killed in its
// swap is finished or rolled back by the next one as a restore is (recover.ts).
import { randomBytes } from "node:crypto";
import { lstat, readdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { renameExchange } from "../util/rename-exchange.js";
import { targetStateOf } from "./execute.js";
import { checkTarget } from "./guards.js";
import { peekTargetLock } from "./lock.js";
import { createUndoPlan, RUN_ID, runIdOf, type RestorePlan } from "./plan.js";
import { lockAndRecover, recoveredFindings } from "./recover.js";
import { judgeTarget } from "./request.js";
import type { Ran } from "./run.js";
import { missingFrom } from "./unlisted.js";
import { swapIn } from "./swap.js";

export type UndoInput = {
  readonly target: string;
  readonly cwd: string;
  readonly evidence: readonly string[];
  readonly dryRun: boolean;
  readonly now: Date;
};

const PREFIX = (target: string) => `.${basename(target)}.recoverable-safety-`;

/** The newest safety copy beside the target (a directory of this user's, never a link). */
async function newestSafetyCopy(target: string): Promise<{ path: string; runId: string } | null> {
  const prefix = PREFIX(target);
  const names = await readdir(dirname(target)).catch(() => [] as string[]);
  const runs = names
    .filter((name) => name.startsWith(prefix) && RUN_ID.test(name.slice(prefix.length)))
    .sort()
    .reverse();
  for (const name of runs) {
    const path = join(dirname(target), name);
    const info = await lstat(path).catch(() => null);
    const own = process.geteuid === undefined || info?.uid === process.geteuid();
    if (info?.isDirectory() && own) return { path, runId: name.slice(prefix.length) };
  }
  return null;
}

function noSafetyCopy(target: string): ClassifiedFinding {
  return createFinding("no_safety_copy", {
    subject: target,
    expected: `a safety copy beside it (${PREFIX(target)}<run>)`,
    actual: "none",
    message: `${target}: no safety copy to put back; nothing was changed`,
  });
}

/** The plan for the target as it is now, or why there is none. */
async function planUndo(
  target: string,
  now: Date,
  nonce: string,
): Promise<Ran & { plan?: RestorePlan }> {
  const from = await newestSafetyCopy(target);
  if (from === null) return { findings: [noSafetyCopy(target)], fields: {} };
  const { state, stop } = judgeTarget(await targetStateOf(target), target, true);
  if (state === null) return { findings: stop ? [stop] : [], fields: {} };
  const missing = state === "non-empty" ? await missingFrom(target, from.path) : [];
  const plan = createUndoPlan({
    target,
    from: from.path,
    missing,
    targetState: state,
    now,
    nonce,
    exchange: renameExchange() !== null,
  });
  return { findings: [], fields: { plan }, plan };
}

export async function undoRestore(input: UndoInput): Promise<Ran> {
  const refused = await checkTarget(input.target, input.cwd, null, input.evidence, null);
  if (refused) return { findings: [refused], fields: {} };
  const target = resolve(input.cwd, input.target);
  const nonce = randomBytes(3).toString("hex");
  if (input.dryRun) {
    const peek = await peekTargetLock(target);
    if (!peek.ok) return { findings: [...peek.findings], fields: {} };
    return planUndo(target, input.now, nonce);
  }
  // The lock's run id names this run's safety copy, as the plan does.
  const runId = runIdOf(input.now, nonce);
  const taken = await lockAndRecover(target, runId, null);
  if (!taken.ok) return { findings: [...taken.findings], fields: {} };
  const { lock, recovered } = taken.value;
  const notes = recoveredFindings(target, recovered);
  let keep = false;
  try {
    const planned = await planUndo(target, input.now, nonce);
    const plan = planned.plan;
    if (plan === undefined)
      return { findings: [...notes, ...planned.findings], fields: { recovered } };
    const undoing = basename(plan.scratch).slice(PREFIX(target).length);
    keep = true;
    const swap = await swapIn(plan, lock, undefined, { undoing });
    keep = !swap.swapped && swap.stuck;
    const findings = [...notes, ...(swap.swapped ? [] : [swap.finding])];
    const safetyCopy = swap.swapped ? plan.safetyCopy : null;
    return { findings, fields: { plan, safetyCopy, recovered } };
  } finally {
    if (!keep) await lock.release();
  }
}
