import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";

type SealFlags = GlobalFlags & {
  root?: string;
  ops?: string;
  releaseId: string;
  releaseVersion: string;
};

export function registerSeal(program: Command): void {
  withGlobalOptions(program.command("seal"))
    .description(
      "write the manifest, packet and provenance of a store root (the rollback policy must exist)",
    )
    .option("--root <store>", "the store root (default: store.root of the drill config)")
    .option("--ops <dir>", "where the Atlas layout is written (default ./ops)")
    .requiredOption("--release-id <id>", "the release id, e.g. atlas-2026.11.1")
    .requiredOption("--release-version <semver>", "the release version, e.g. 2026.11.1")
    .addHelpText(
      "after",
      "\nExamples:\n  recoverable seal --root ops/store --release-id atlas-2026.11.1 --release-version 2026.11.1\n  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) recoverable seal --root ops/store --release-id atlas-2026.11.1 --release-version 2026.11.1 --json",
    )
    .action(async (flags: SealFlags) => {
      const { seal } = await import("../../verbs/seal.js");
      const result = await seal({
        ...definedOnly({ config: flags.config, root: flags.root, ops: flags.ops }),
        releaseId: flags.releaseId,
        releaseVersion: flags.releaseVersion,
      });
      emit(
        result,
        flags,
        result.written.map((path) => `wrote ${path}`),
      );
    });
}
