// snapshots prune --dir: the retention of a folder of dated archives (ChromaDB's 30 daily
// tar.gz, Avalanche's GFS of pg_dumps). A dry run unless --apply; the rules as for --repo.
import { resolve } from "node:path";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { compileDatePattern } from "../snapshots/archive-folder.js";
import { pruneFolder, type ArchiveDecision } from "../snapshots/prune-folder.js";
import type { PruneRules } from "../snapshots/prune.js";
import { displayPath } from "../util/display-path.js";
import type { CommonOptions } from "./evidence-context.js";
import { createResult, NO_RELEASE, type VerbResult } from "./result.js";
import { rulesOf } from "./snapshots.js";

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

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

/** Flags that cannot go together, or a pattern that dates nothing: refused before any listing. */
function flagProblems(options: FolderPruneOptions): ClassifiedFinding[] {
  const problems: ClassifiedFinding[] = [];
  if (options.glob === undefined)
    problems.push(
      usage(
        "--glob",
        "--dir needs --glob naming the archives to prune (e.g. --glob 'chromadb_backup_*.tar.gz'), so no other file of the folder is ever removed",
      ),
    );
  if (options.apply === true && options.dryRun === true)
    problems.push(usage("--apply", "--apply and --dry-run contradict each other: pass one"));
  if (options.datePattern !== undefined) {
    const compiled = compileDatePattern(options.datePattern);
    if (typeof compiled === "string")
      problems.push(
        usage(
          "--date-pattern",
          `--date-pattern ${JSON.stringify(options.datePattern)} cannot be used: ${compiled} (e.g. 'chromadb_backup_%Y%m%d_%H%M%S')`,
        ),
      );
  }
  return problems;
}

export async function pruneArchiveFolder(options: FolderPruneOptions): Promise<FolderPruneResult> {
  const dir = resolve(options.cwd ?? process.cwd(), options.dir);
  const apply = options.apply === true;
  const none = {
    dir: displayPath(dir),
    glob: options.glob ?? null,
    datePattern: options.datePattern ?? null,
    dryRun: !apply,
    rules: null,
    kept: [],
    removed: [],
    freedBytes: 0,
  };
  const problems = flagProblems(options);
  if (problems.length > 0) return createResult("snapshots prune", problems, NO_RELEASE, none);
  const rules = await rulesOf(options);
  if ("code" in rules) return createResult("snapshots prune", [rules], NO_RELEASE, none);
  const outcome = await pruneFolder(
    { dir, glob: options.glob ?? "", datePattern: options.datePattern ?? null },
    rules,
    apply,
    (options.now ?? (() => new Date()))(),
  );
  return createResult("snapshots prune", outcome.findings, NO_RELEASE, {
    ...none,
    rules,
    kept: outcome.kept,
    removed: outcome.removed,
    freedBytes: outcome.freedBytes,
  });
}
