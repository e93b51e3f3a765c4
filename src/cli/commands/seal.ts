import type { Command } from "commander";
import { withGlobalOptions, type GlobalFlags } from "../common-options.js";
import { emit } from "../output.js";
import { definedOnly } from "./defined-only.js";
import { withExamples, type Example } from "../examples.js";

const EXAMPLES: readonly Example[] = [
  {
    command:
      "SOURCE_DATE_EPOCH=1793491200 recoverable seal --root ops/store --release-id atlas-2026.11.1 --release-version 2026.11.1",
    says: "seal the example store again at the time it was first sealed: the same store at the same time gives the same release identity (57f05545...)",
  },
  {
    command:
      "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) recoverable seal --root ops/store --release-id atlas-2026.12.0 --release-version 2026.12.0 --json",
    says: "seal a new release in a pipeline, its times taken from the last commit so that sealing twice gives the same identity; the JSON result lists the files written",
  },
];

type SealFlags = GlobalFlags & {
  root?: string;
  ops?: string;
  releaseId: string;
  releaseVersion: string;
};

export function registerSeal(program: Command): void {
  withExamples(withGlobalOptions(program.command("seal")), EXAMPLES)
    .description(
      "write the manifest, packet and provenance of a store root (the rollback policy must exist)",
    )
    .option("--root <store>", "the store root (default: store.root of the drill config)")
    .option("--ops <dir>", "where the Atlas layout is written (default ./ops)")
    .requiredOption("--release-id <id>", "the release id, e.g. atlas-2026.11.1")
    .requiredOption("--release-version <semver>", "the release version, e.g. 2026.11.1")
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
