// What `snapshots prune --dir` may do (pure): flags that cannot go together, or a pattern that
// dates nothing, are refused before any listing, every one of them named.
import { resolve } from "node:path";
import { failedWith, ok, type Checked } from "../findings/checked.js";
import { createFinding, type ClassifiedFinding } from "../findings/finding.js";
import { compileDatePattern } from "./archive-folder.js";

export type FolderPruneFlags = {
  readonly dir: string;
  readonly glob?: string;
  readonly datePattern?: string;
  readonly apply?: boolean;
  readonly dryRun?: boolean;
  readonly cwd: string;
};

export type FolderPrunePlan = {
  readonly dir: string;
  readonly glob: string;
  readonly datePattern: string | null;
  /** Remove what the rules do not keep (--apply); otherwise only say what would go. */
  readonly apply: boolean;
};

export function checkFolderPruneFlags(flags: FolderPruneFlags): Checked<FolderPrunePlan> {
  const problems = [...globProblems(flags), ...modeProblems(flags), ...patternProblems(flags)];
  if (problems.length > 0 || flags.glob === undefined) return failedWith(problems);
  return ok({
    dir: resolve(flags.cwd, flags.dir),
    glob: flags.glob,
    datePattern: flags.datePattern ?? null,
    apply: flags.apply === true,
  });
}

function usage(subject: string, message: string): ClassifiedFinding {
  return createFinding("usage_invalid", { subject, message });
}

function globProblems(flags: FolderPruneFlags): ClassifiedFinding[] {
  if (flags.glob !== undefined) return [];
  return [
    usage(
      "--glob",
      "--dir needs --glob naming the archives to prune (e.g. --glob 'chromadb_backup_*.tar.gz'), so no other file of the folder is ever removed",
    ),
  ];
}

function modeProblems(flags: FolderPruneFlags): ClassifiedFinding[] {
  if (flags.apply !== true || flags.dryRun !== true) return [];
  return [usage("--apply", "--apply and --dry-run contradict each other: pass one")];
}

function patternProblems(flags: FolderPruneFlags): ClassifiedFinding[] {
  if (flags.datePattern === undefined) return [];
  const compiled = compileDatePattern(flags.datePattern);
  if (typeof compiled !== "string") return [];
  return [
    usage(
      "--date-pattern",
      `--date-pattern ${JSON.stringify(flags.datePattern)} cannot be used: ${compiled} (e.g. 'chromadb_backup_%Y%m%d_%H%M%S')`,
    ),
  ];
}
