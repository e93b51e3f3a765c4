import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { createProgress, progressMode } from "../progress.js";
import { withExamples, type Example } from "../examples.js";
import { withUsage } from "../synopsis.js";
import { currentRunScope } from "../../util/run-scope.js";

const EXAMPLES: readonly Example[] = [
  {
    command:
      "recoverable restore --source snapshot:/tmp/atlas-snapshots#latest --target /tmp/atlas-restored --force",
    says: "put the newest valid snapshot over a store root; what was there is kept as a safety copy, and what the release does not list is carried over (--dry-run prints the plan and changes nothing)",
  },
  {
    command:
      "recoverable restore --source dir:ops/store --target /tmp/atlas-restored --only 'datasets/cities.sqlite' --force",
    says: "restore one database: the rest of the store root stays as it is, the old database goes into the safety copy",
  },
  {
    command: "recoverable restore --undo --target /tmp/atlas-restored",
    says: "put the newest safety copy back; what the target held becomes the safety copy in turn, so an undo can be undone (a killed restore or undo is finished by --recover, or the next run)",
  },
];

type RestoreFlags = GlobalFlags & {
  source?: string;
  recover?: boolean;
  target: string;
  ops?: string;
  force?: boolean;
  dryRun?: boolean;
  allowDowngrade?: boolean;
  scratch?: string;
  identity?: string;
  setAsideUnlisted?: boolean;
  undo?: boolean;
  only?: string[];
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerRestore(program: Command): void {
  withUsage(
    withExamples(withGlobalOptions(program.command("restore")), EXAMPLES),
    "(--source <src> | --recover | --undo) --target <dir> [options]",
  )
    .description(
      "restore a store root from a backup into a target: verified before it is swapped in, with a safety copy",
    )
    .option(
      "--source <src>",
      "dir:<path>, tar:<path> (.tar, .tar.gz, .tgz; .age with --identity), snapshot:<repo>#<id|latest> or restic:<repository>#<id|latest>",
    )
    .requiredOption("--target <dir>", "the store root to restore into")
    .option("--ops <dir>", "the directory holding the evidence in the Atlas layout (default ./ops)")
    .option("--force", "replace a non-empty target (the old one is kept as a safety copy)")
    .option("--dry-run", "print the plan and change nothing")
    .option(
      "--allow-downgrade",
      "restore a release older than the newest one proven for this store (only when the rollback policy allows downgrades)",
    )
    .option(
      "--scratch <dir>",
      "where to extract before the swap (default: a hidden sibling of the target)",
    )
    .option(
      "--identity <file>",
      "an age identity file (age-keygen output, AGE-SECRET-KEY-1...), or env:NAME for those lines in the variable NAME, that decrypts a tar:<path>.age source (a passphrase-encrypted one, age -p, decrypts with $RECOVERABLE_AGE_PASSPHRASE instead)",
    )
    .option(
      "--only <glob>",
      "restore only the artifacts whose store paths the glob matches (repeatable): verified as a whole restore is, swapped in with the rest of the target carried over untouched; a glob that matches nothing is usage_invalid",
      collect,
    )
    .option(
      "--set-aside-unlisted",
      "with --force: move what the release does not list (paths in the target the manifest does not name) into the safety copy with the old store, instead of carrying it over into the restored root",
    )
    .option(
      "--undo",
      "restore nothing from a backup: put the newest safety copy back into --target, atomically; what the target held becomes the safety copy in turn, so an undo can be undone",
    )
    .option(
      "--recover",
      "restore nothing: finish what an interrupted restore of --target left (as the next restore would first)",
    )
    .action(async (flags: RestoreFlags) => {
      const { restore } = await import("../../verbs/restore.js");
      const result = await restore({
        target: flags.target,
        ...definedOnly({
          source: flags.source,
          recover: flags.recover,
          config: flags.config,
          ops: flags.ops,
          force: flags.force,
          dryRun: flags.dryRun,
          allowDowngrade: flags.allowDowngrade,
          scratch: flags.scratch,
          identity: flags.identity,
          setAsideUnlisted: flags.setAsideUnlisted,
          undo: flags.undo,
          only: flags.only,
          // Interrupted before its swap, a restore removes what it wrote and ends with its
          // result (130, 143); the swap, once journaled, runs to its end. A dry run or a
          // recovery is ended at once, as other verbs are (a recovery is journaled too).
          signal:
            flags.dryRun || flags.recover || flags.undo ? undefined : currentRunScope()?.adopt(),
        }),
        progress: createProgress(progressMode(flags)),
      });
      const summary: string[] = [];
      if (result.plan && flags.dryRun)
        summary.push(
          "plan (nothing changed):",
          ...result.plan.steps.map((s, i) => `  ${i + 1}. ${s}`),
        );
      if (flags.undo && !flags.dryRun && result.verdict === "proven" && result.plan)
        summary.push(`put the safety copy ${result.plan.source} back into ${result.plan.target}`);
      const only = result.plan?.only ?? [];
      if (only.length > 0 && result.verdict === "proven" && !flags.dryRun)
        summary.push(`restored only: ${only.join(", ")}`);
      if (result.restored && result.verdict === "proven" && only.length === 0)
        summary.push(
          `restored ${result.restored.files} files (${result.restored.bytes} bytes) into ${result.plan?.target ?? ""}${result.resolved === null ? "" : ` from ${result.resolved}`}`,
        );
      const carried = result.plan?.carriedOver ?? [];
      const why = flags.undo
        ? "the safety copy does not have them"
        : flags.only
          ? "the rest of the target"
          : "the release does not list them";
      if (carried.length > 0 && !flags.dryRun && result.verdict === "proven")
        summary.push(`carried over (${why}): ${carried.join(", ")}`);
      if (result.safetyCopy) summary.push(`safety copy of the old store: ${result.safetyCopy}`);
      if (flags.recover && result.exitCode === 0 && result.recovered.length === 0)
        summary.push(`nothing to recover: no interrupted restore of ${flags.target} left anything`);
      emit(result, flags, summary);
    });
}
