// `snapshots prune --dir`: restic's keep rules applied to a folder of dated archives. The newest
// archive is never removed; an archive whose name has no date is never removed (nothing says how
// old it is). Nothing is deleted unless asked (apply), and then only under the folder's lock, so
// two prunes never race; a backup script writing a new archive meanwhile is not disturbed (a
// file that was not listed is not touched).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { acquireLock, currentHolder, describeHolder, releaseLock } from "../util/lock-file.js";
import { displayPath } from "../util/display-path.js";
import { listArchives, type ArchiveSelection, type DatedArchive } from "./archive-folder.js";
import { applyRetention, type RetentionRules } from "./retention.js";

export type ArchiveDecision = {
  readonly name: string;
  readonly time: string | null;
  readonly datedBy: DatedArchive["datedBy"];
  readonly size: number;
  readonly reasons: readonly string[];
};

export type FolderPruneOutcome = {
  readonly findings: ClassifiedFinding[];
  readonly kept: ArchiveDecision[];
  readonly removed: ArchiveDecision[];
  readonly freedBytes: number;
};

/** The lock a folder prune holds; the glob of archives never matches a dotfile. */
export const FOLDER_LOCK = ".recoverable-prune.lock";
const NEWEST = "newest archive (never removed)";
const UNDATED = "its name holds no date matching --date-pattern (never removed)";

/** Which archives stay and which go, with why (pure). */
export function planFolderPrune(
  archives: readonly DatedArchive[],
  rules: RetentionRules,
  now: Date,
): { kept: ArchiveDecision[]; removed: ArchiveDecision[] } {
  const dated = archives.flatMap((a) => (a.time === null ? [] : [{ id: a.name, time: a.time, a }]));
  const decision = (a: DatedArchive, reasons: readonly string[]): ArchiveDecision => ({
    name: a.name,
    time: a.time?.toISOString() ?? null,
    datedBy: a.datedBy,
    size: a.size,
    reasons,
  });
  const kept: ArchiveDecision[] = [];
  const removed: ArchiveDecision[] = [];
  applyRetention(dated, rules, { now }).forEach(({ snapshot, keep, reasons }, index) => {
    if (keep) kept.push(decision(snapshot.a, reasons));
    else if (index === 0) kept.push(decision(snapshot.a, [NEWEST]));
    else removed.push(decision(snapshot.a, reasons));
  });
  for (const a of archives) if (a.time === null) kept.push(decision(a, [UNDATED]));
  return { kept, removed };
}

export async function pruneFolder(
  selection: ArchiveSelection,
  rules: RetentionRules,
  { apply, now = new Date() }: { readonly apply: boolean; readonly now?: Date },
): Promise<FolderPruneOutcome> {
  const empty = { kept: [], removed: [], freedBytes: 0 };
  const shown = displayPath(selection.dir);
  let archives: DatedArchive[];
  try {
    archives = await listArchives(selection);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return {
      ...empty,
      findings: [
        createFinding("usage_invalid", {
          subject: "--dir",
          actual: code,
          message: `--dir ${shown} cannot be listed (${code}): it must be a readable folder of archives`,
        }),
      ],
    };
  }
  const plan = planFolderPrune(archives, rules, now);
  const freedBytes = plan.removed.reduce((sum, d) => sum + d.size, 0);
  if (!apply) return { findings: [], ...plan, freedBytes };
  const lock = join(selection.dir, FOLDER_LOCK);
  const attempt = await acquireLock(lock, () => currentHolder("snapshots prune"));
  if (!attempt.acquired) {
    const who = describeHolder(attempt.holder);
    const locked = createFinding("repository_locked", {
      subject: shown,
      actual: `locked by ${who}`,
      message: `${shown}: ${who} is pruning this folder (its lock ${displayPath(lock)})`,
    });
    return { ...empty, findings: [locked] };
  }
  try {
    for (const decision of plan.removed)
      await rm(join(selection.dir, decision.name), { force: true });
  } finally {
    await releaseLock(lock);
  }
  return { findings: [], ...plan, freedBytes };
}
