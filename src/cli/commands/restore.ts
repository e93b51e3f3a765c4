import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { createProgress, progressMode } from "../progress.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable restore --source dir:ops/store --target /tmp/atlas-restored --dry-run",
    says: "check the evidence and the rollback policy and print the plan; change nothing",
  },
  {
    command: "recoverable restore --source dir:ops/store --target /tmp/atlas-restored",
    says: "restore the example store into an absent or empty target, verified before it is swapped in",
  },
  {
    command:
      "recoverable restore --source snapshot:/tmp/atlas-snapshots#latest --target /tmp/atlas-restored --force",
    says: "put the newest valid snapshot over a store root; what was there is kept as a safety copy",
  },
];

type RestoreFlags = GlobalFlags & {
  source: string;
  target: string;
  ops?: string;
  force?: boolean;
  dryRun?: boolean;
  allowDowngrade?: boolean;
  scratch?: string;
  identity?: string;
};

export function registerRestore(program: Command): void {
  withExamples(withGlobalOptions(program.command("restore")), EXAMPLES)
    .description(
      "restore a store root from a backup into a target: verified before it is swapped in, with a safety copy",
    )
    .requiredOption(
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
    .action(async (flags: RestoreFlags) => {
      const { restore } = await import("../../verbs/restore.js");
      const result = await restore({
        source: flags.source,
        target: flags.target,
        ...definedOnly({
          config: flags.config,
          ops: flags.ops,
          force: flags.force,
          dryRun: flags.dryRun,
          allowDowngrade: flags.allowDowngrade,
          scratch: flags.scratch,
          identity: flags.identity,
        }),
        progress: createProgress(progressMode(flags)),
        exitOnSignal: true,
      });
      const summary: string[] = [];
      if (result.plan && flags.dryRun)
        summary.push(
          "plan (nothing changed):",
          ...result.plan.steps.map((s, i) => `  ${i + 1}. ${s}`),
        );
      if (result.restored && result.verdict === "proven")
        summary.push(
          `restored ${result.restored.files} files (${result.restored.bytes} bytes) into ${result.plan?.target ?? ""}${result.resolved === null ? "" : ` from ${result.resolved}`}`,
        );
      if (result.safetyCopy) summary.push(`safety copy of the old store: ${result.safetyCopy}`);
      for (const line of result.recovered) summary.push(`recovered: ${line}`);
      emit(result, flags, summary);
    });
}
