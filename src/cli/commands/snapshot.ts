import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

type SnapshotFlags = GlobalFlags & { root?: string; repo: string; label?: string; ops?: string };

export function registerSnapshot(program: Command): void {
  withGlobalOptions(program.command("snapshot"))
    .description(
      "take a consistent snapshot of a live store root into a repository, validated from the bytes it wrote",
    )
    .option("--root <store>", "the store root (default: store.root of the drill config)")
    .requiredOption("--repo <dir>", "the snapshot repository (made when absent or empty)")
    .option("--label <text>", "a label to find the snapshot by (nightly, before-migration, ...)")
    .option("--ops <dir>", "the evidence that names the release the snapshot holds (default ./ops)")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable snapshot --root /srv/atlas/store --repo /backups/atlas --label nightly\n  recoverable snapshot --repo /backups/atlas --json",
    )
    .action(async (flags: SnapshotFlags) => {
      const { snapshot } = await import("../../verbs/snapshot.js");
      const result = await snapshot({
        repo: flags.repo,
        ...definedOnly({
          config: flags.config,
          root: flags.root,
          label: flags.label,
          ops: flags.ops,
        }),
      });
      const summary: string[] = [];
      if (result.snapshotId !== null && result.totals && result.validation)
        summary.push(
          `snapshot ${result.snapshotId} in ${result.repo}: ${result.totals.files} files, ${result.totals.dirs} directories, ${result.totals.bytes} bytes`,
          result.validation.status === "valid"
            ? "validated from the stored bytes: digests, SQLite integrity, JSON"
            : "INVALID: it failed validation and will never be used as latest",
        );
      emit(result, flags, summary);
    });
}
