// snapshots prune --dir: the retention of a folder of dated archives (ChromaDB's 30 daily
// tar.gz, Avalanche's GFS of pg_dumps). A dry run unless --apply; the rules as for --repo.
import { resolve } from "node:path";
import { checkFolderPruneFlags } from "../snapshots/folder-prune-flags.js";
import { pruneFolder, type ArchiveDecision } from "../snapshots/prune-folder.js";
import type { PruneRules } from "../snapshots/prune.js";
import { displayPath } from "../util/display-path.js";
import type { CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { loadRules } from "./snapshots-prune.js";

export type FolderPruneOptions = CommonOptions & {
  readonly dir: string;
  readonly glob?: string;
  readonly datePattern?: string;
  readonly apply?: boolean;
  readonly dryRun?: boolean;
  readonly rules: Partial<PruneRules>;
  readonly now?: () => Date;
};

export type FolderPruneResult = VerbResult<{
  dir: string;
  glob: string | null;
  datePattern: string | null;
  dryRun: boolean;
  rules: PruneRules | null;
  kept: ArchiveDecision[];
  removed: ArchiveDecision[];
  freedBytes: number;
}>;

export async function pruneArchiveFolder(options: FolderPruneOptions): Promise<FolderPruneResult> {
  const cwd = options.cwd ?? process.cwd();
  const none = {
    dir: displayPath(resolve(cwd, options.dir)),
    glob: options.glob ?? null,
    datePattern: options.datePattern ?? null,
    dryRun: options.apply !== true,
    ...{ rules: null, kept: [], removed: [], freedBytes: 0 },
  };
  const plan = checkFolderPruneFlags({ ...options, cwd });
  if (!plan.ok) return createResult("snapshots prune", plan.findings, NO_RELEASE, none);
  const rules = await loadRules(options);
  if (!rules.ok) return createResult("snapshots prune", rules.findings, NO_RELEASE, none);
  const { apply, ...folder } = plan.value;
  const now = (options.now ?? (() => new Date()))();
  const outcome = await pruneFolder(folder, rules.value, { apply, now });
  return createResult("snapshots prune", outcome.findings, NO_RELEASE, {
    ...none,
    rules: rules.value,
    kept: outcome.kept,
    removed: outcome.removed,
    freedBytes: outcome.freedBytes,
  });
}
