// restore --recover: finish what an interrupted restore of a target left, and restore nothing.
// The same as the first step of every restore (recover.ts), on its own: for an operator who wants
// the old store back now, before deciding what to restore.
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import type { ClassifiedFinding } from "../findings/finding.js";
import { entryTypeAt } from "../store/walk-store.js";
import { checkTarget } from "./guards.js";
import { runIdOf } from "./plan.js";
import { lockAndRecover, recoveredFindings } from "./recover.js";

export async function recoverTarget(
  rawTarget: string,
  cwd: string,
  evidence: readonly string[],
  scratchDir: string | null,
): Promise<{ findings: ClassifiedFinding[]; recovered: readonly string[] }> {
  const refused = await checkTarget(rawTarget, cwd, null, evidence, scratchDir);
  if (refused) return { findings: [refused], recovered: [] };
  const target = resolve(cwd, rawTarget);
  if ((await entryTypeAt(dirname(target))) !== "dir") return { findings: [], recovered: [] };
  const runId = runIdOf(new Date(), randomBytes(3).toString("hex"));
  const taken = await lockAndRecover(target, runId, scratchDir);
  if (!taken.ok) return { findings: [...taken.findings], recovered: [] };
  const { lock, recovered } = taken.value;
  await lock.release();
  return { findings: recoveredFindings(target, recovered), recovered };
}
