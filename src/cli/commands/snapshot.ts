import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command: "recoverable snapshot --repo /tmp/atlas-snapshots --label nightly",
    says: "snapshot the example store (store.root of ops/drill.json) into a repository made on first use, validated from the bytes it stored",
  },
  {
    command:
      "recoverable snapshot --root ops/store --repo /tmp/atlas-snapshots --json | jq -r .snapshotId",
    says: "the same from a script: print only the new snapshot's id",
  },
];

type SnapshotFlags = GlobalFlags & {
  root?: string;
  repo: string;
  label?: string;
  ops?: string;
  exclude?: string[];
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerSnapshot(program: Command): void {
  withExamples(withGlobalOptions(program.command("snapshot")), EXAMPLES)
    .description(
      "take a consistent snapshot of a live store root into a repository, validated from the bytes it wrote",
    )
    .option("--root <store>", "the store root (default: store.root of the drill config)")
    .requiredOption("--repo <dir>", "the snapshot repository (made when absent or empty)")
    .option(
      "--label <text>",
      "a label to find the snapshot by, as snapshot:<repo>#<label> and in the snapshots verbs (nightly, before-migration, ...)",
    )
    .option("--ops <dir>", "the evidence that names the release the snapshot holds (default ./ops)")
    .option(
      "--exclude <glob>",
      "leave out paths that are not the store's (logs, caches, scratch); repeatable, added to exclude of the drill config",
      collect,
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
          exclude: flags.exclude,
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
